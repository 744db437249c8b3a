#!/usr/bin/env bash
# Builds the crate as crates.io would receive it (`cargo package`), unpacks
# it, builds it on its own with the locked dependencies, and checks that it
# works: `--version` names the packaged commit and `check examples/` reports
# the broken example's errors and nothing else.
#
#   scripts/package-check.sh
#
# The packaged crate is built with this repository's target directory, so
# the dependencies are not compiled again; its binary is kept as
# target/package-check/openjd-lsp and the repository's own build is put back.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

fail() { echo "package-check: FAILED: $*" >&2; exit 1; }

version="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)"
cargo package --locked --no-verify 2>&1 | grep -v '^warning: ignoring \(test\|benchmark\)' || true
crate="target/package/openjd-lsp-$version.crate"
[[ -f "$crate" ]] || fail "cargo package wrote no $crate"
echo "package-check: $crate, $(wc -c <"$crate" | tr -d ' ') bytes, $(tar -tzf "$crate" | wc -l | tr -d ' ') files"

work="$root/target/package-check"
rm -rf "$work"
mkdir -p "$work"
tar -xzf "$crate" -C "$work"
src="$work/openjd-lsp-$version"
for f in LICENSE README.md CHANGELOG.md Cargo.lock build.rs examples/broken/template.yaml; do
  [[ -f "$src/$f" ]] || fail "the package has no $f"
done

# Keep the repository's binary; the packaged crate's build replaces it.
own="$root/target/release/openjd-lsp"
[[ -f "$own" ]] && cp -p "$own" "$work/openjd-lsp.repository"
(cd "$src" && CARGO_TARGET_DIR="$root/target" cargo build --release --locked --quiet) ||
  fail "the packaged crate does not build"
cp -p "$root/target/release/openjd-lsp" "$work/openjd-lsp"
if [[ -f "$work/openjd-lsp.repository" ]]; then
  mv "$work/openjd-lsp.repository" "$own"
else
  rm -f "$own"
fi
bin="$work/openjd-lsp"

got="$("$bin" --version)"
echo "package-check: $got"
sha="$(sed -n 's/.*"sha1": *"\([0-9a-f]\{12\}\).*/\1/p' "$src/.cargo_vcs_info.json" 2>/dev/null || true)"
[[ -n "$sha" ]] || fail "the package has no .cargo_vcs_info.json commit (was it packaged from a git checkout?)"
[[ "$got" == "openjd-lsp $version ($sha"* ]] || fail "--version says '$got', not the packaged commit $sha"

set +e
out="$(cd "$src" && "$bin" check examples/)"
status=$?
set -e
echo "$out" | tail -1
((status == 1)) || fail "check examples/ exited $status, not 1 (the broken example's errors)"
others="$(echo "$out" | grep -E '^ *--> ' | grep -v -- '--> examples/broken/template.yaml:' || true)"
[[ -z "$others" ]] || fail "problems outside examples/broken:"$'\n'"$others"
# The summary the README's first command promises ("... ends with `checked ...`, and exits").
documented="$(tr '\n' ' ' <"$root/README.md" | sed -n 's/.*ends with `\(checked [^`]*\)`, and exits.*/\1/p' | tr -s ' ')"
[[ -n "$documented" ]] || fail "the README no longer says what check examples/ ends with"
[[ "$(echo "$out" | tail -1)" == "$documented" ]] || fail "unexpected summary: $(echo "$out" | tail -1) (the README says: $documented)"
echo "package-check: the packaged crate builds and checks examples/ as documented"
