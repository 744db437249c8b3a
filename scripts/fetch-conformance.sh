#!/usr/bin/env bash
# Fetches the Open Job Description conformance suite that the tests use, file
# by file at the commits tests/conformance/MANIFEST.tsv pins, from the
# specification's git repository.
#
#   scripts/fetch-conformance.sh [DEST]
#
# DEST defaults to target/conformance, where the tests look after
# ../shared/conformance and $OPENJD_CONFORMANCE_DIR (tests/support/conformance.rs).
# Prints DEST as its last line. A DEST that already holds this manifest is
# left alone.
#
# The manifest names, for each file, its path in the suite, what a validator
# must do with it, the repository and the commit it was taken from, and a
# SHA-256 prefix of its content. The files come from 40 commits of
# OpenJobDescription/openjd-specifications (the suite grew file by file, and
# each file is pinned where it was last changed) plus 7 files, not normative
# and unused by the tests, from the fork leongdl/openjd-specifications. This
# script clones each repository once (into target/conformance-git/), fetches any
# pinned commit its branches do not reach, and writes every file exactly as it
# is at its commit, checking its SHA-256 prefix:
#
#   2023-09/<path>                 <- conformance-tests/2023-09/<path>
#   upstream/<file>                <- conformance-tests/<file>
#   fork-copies/<owner>/2023-09/…  <- conformance-tests/2023-09/… of the fork
#
# Environment:
#   OPENJD_SPEC_GIT_BASE   where repositories are cloned from, as
#                          $OPENJD_SPEC_GIT_BASE/<owner>/<name>
#                          (default https://github.com; a file:// URL or a
#                          folder of bare repositories works too)
#   OPENJD_CONFORMANCE_MANIFEST  the manifest (default tests/conformance/MANIFEST.tsv)
#   OPENJD_CONFORMANCE_GIT_CACHE where the clones are kept (default target/conformance-git)
#
# Needs git, and sha256sum or shasum. Exits non-zero, saying why, when a
# repository cannot be cloned, a commit or file is missing, or a verbatim
# file's content does not match the manifest. (22 files of the manifest are
# marked `reconstructed`: the project's copy was rebuilt from a listing; for
# those a different hash is reported and the upstream file is kept.)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
manifest="${OPENJD_CONFORMANCE_MANIFEST:-$root/tests/conformance/MANIFEST.tsv}"
dest="${1:-$root/target/conformance}"
base="${OPENJD_SPEC_GIT_BASE:-https://github.com}"
mirrors="${OPENJD_CONFORMANCE_GIT_CACHE:-$root/target/conformance-git}"

die() {
  {
    echo
    echo "######################################################################"
    echo "## fetch-conformance: FAILED"
    while (($#)); do echo "## $1"; shift; done
    echo "######################################################################"
  } >&2
  exit 1
}

case "${1:-}" in
  -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; exit 0 ;;
esac

[[ -f "$manifest" ]] || die "no manifest at $manifest"
command -v git >/dev/null 2>&1 || die "git is not installed"
if command -v sha256sum >/dev/null 2>&1; then
  sha256() { sha256sum "$1" | cut -c1-16; }
elif command -v shasum >/dev/null 2>&1; then
  sha256() { shasum -a 256 "$1" | cut -c1-16; }
else
  die "neither sha256sum nor shasum is installed"
fi

if [[ -f "$dest/MANIFEST.tsv" ]] && cmp -s "$manifest" "$dest/MANIFEST.tsv"; then
  echo "fetch-conformance: $dest already holds this manifest's suite" >&2
  echo "$dest"
  exit 0
fi

# The rows: local_path expectation status source_repo source_commit chars bytes sha256_16 how
rows=()
while IFS=$'\t' read -r path _expectation _status repo commit _chars _bytes sha how; do
  [[ "$path" == local_path ]] && continue
  [[ -n "$path" ]] || continue
  [[ "$repo" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]] || die "bad repository '$repo' in $manifest"
  [[ "$commit" =~ ^[0-9a-f]{40}$ ]] || die "bad commit '$commit' for $path in $manifest"
  rows+=("$path"$'\t'"$repo"$'\t'"$commit"$'\t'"$sha"$'\t'"$how")
done <"$manifest"
((${#rows[@]})) || die "$manifest lists no files"

# One bare clone per repository, then every pinned commit it lacks.
mkdir -p "$mirrors"
mirror_of() { echo "$mirrors/${1//\//+}.git"; }
for repo in $(printf '%s\n' "${rows[@]}" | cut -f2 | sort -u); do
  m="$(mirror_of "$repo")"
  if [[ ! -d "$m" ]]; then
    echo "fetch-conformance: cloning $base/$repo" >&2
    git clone --quiet --bare "$base/$repo" "$m.tmp" ||
      { rm -rf "$m.tmp"; die "cannot clone $base/$repo" "(set OPENJD_CONFORMANCE_DIR to a local copy of the suite instead)"; }
    mv "$m.tmp" "$m"
  fi
  for commit in $(printf '%s\n' "${rows[@]}" | awk -F'\t' -v r="$repo" '$2 == r { print $3 }' | sort -u); do
    if ! git -C "$m" cat-file -e "$commit^{commit}" 2>/dev/null; then
      echo "fetch-conformance: fetching $repo $commit" >&2
      git -C "$m" fetch --quiet origin "$commit" 2>/dev/null ||
        git -C "$m" fetch --quiet origin '+refs/heads/*:refs/heads/*' '+refs/pull/*/head:refs/pull/*' 2>/dev/null || true
      git -C "$m" cat-file -e "$commit^{commit}" 2>/dev/null ||
        die "commit $commit is not in $base/$repo"
    fi
  done
done

# Write every file at its commit into a fresh folder, then put it in place.
tmp="$dest.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
mismatched=0 rebuilt=0
for row in "${rows[@]}"; do
  IFS=$'\t' read -r path repo commit sha how <<<"$row"
  case "$path" in
    2023-09/*) remote="conformance-tests/$path" ;;
    upstream/*) remote="conformance-tests/${path#upstream/}" ;;
    fork-copies/*/2023-09/*) remote="conformance-tests/2023-09/${path#fork-copies/*/2023-09/}" ;;
    *) die "cannot tell where $path comes from (expected 2023-09/, upstream/ or fork-copies/<owner>/2023-09/)" ;;
  esac
  mkdir -p "$tmp/$(dirname "$path")"
  git -C "$(mirror_of "$repo")" show "$commit:$remote" >"$tmp/$path" 2>/dev/null ||
    die "$remote is not in $repo at $commit"
  got="$(sha256 "$tmp/$path")"
  if [[ "$got" != "$sha" ]]; then
    if [[ "$how" == reconstructed ]]; then
      rebuilt=$((rebuilt + 1))
      echo "fetch-conformance: note: $path differs from the project's reconstructed copy ($got, not $sha); keeping upstream's" >&2
    else
      mismatched=$((mismatched + 1))
      echo "fetch-conformance: $path at $commit has SHA-256 $got..., the manifest says $sha..." >&2
    fi
  fi
done
((mismatched == 0)) || die "$mismatched files do not match the manifest (see above)"
cp "$manifest" "$tmp/MANIFEST.tsv"
rm -rf "$dest"
mkdir -p "$(dirname "$dest")"
mv "$tmp" "$dest"
trap - EXIT
echo "fetch-conformance: ${#rows[@]} files into $dest ($rebuilt reconstructed files differ from the project's copy)" >&2
echo "$dest"
