#!/usr/bin/env bash
# Builds the VS Code extension package (.vsix) with @vscode/vsce.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: editors/vscode/scripts/package.sh [--server PATH] [--target TARGET] [--out DIR]

Builds the OpenJD VS Code extension package (.vsix) and prints its path as
the last line of standard output.

Options:
  --server PATH   bundle this openjd-lsp binary as server/openjd-lsp
                  (server/openjd-lsp.exe for win32-* targets). The copy is
                  stripped of symbols (the binary given is not changed) and the
                  package becomes platform-specific. Without --server the
                  package holds no server and uses openjd.server.path or
                  openjd-lsp on PATH.
  --target T      the VS Code platform the package is for: linux-x64,
                  linux-arm64, darwin-x64, darwin-arm64, win32-x64, ...
                  Default with --server: this machine's platform.
  --out DIR       where to write the .vsix (default: editors/vscode/dist).
  -h, --help      show this help.

Environment:
  OPENJD_VSIX_MAX_BYTES  fail when the package is larger (default 8388608,
                         8 MiB).

The package holds the repository's LICENSE. Its name is
openjd-lsp[-TARGET]-VERSION.vsix; its size is printed on standard error.
Exit status: 0 built, 1 failed, 2 bad arguments.
EOF
}

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
repo="$(cd "$here/../.." && pwd)"
server="" target="" out="$here/dist"
max_bytes="${OPENJD_VSIX_MAX_BYTES:-8388608}"
while (($#)); do
  case "$1" in
    --server|--target|--out)
      (($# >= 2)) || { echo "package.sh: $1 needs a value (see --help)" >&2; exit 2; }
      case "$1" in
        --server) server="$2" ;;
        --target) target="$2" ;;
        --out) out="$2" ;;
      esac
      shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "package.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

cd "$here"
if [[ ! -d node_modules/@vscode/vsce || ! -d node_modules/vscode-languageclient ]]; then
  npm ci --no-audit --no-fund >&2
fi
npx --no-install tsc -p . >&2

# What is copied in for packaging is removed afterwards, also on failure.
cleanup() { rm -rf "$here/server" "$here/LICENSE"; }
trap cleanup EXIT
cleanup
cp "$repo/LICENSE" "$here/LICENSE"

if [[ -n "$server" ]]; then
  [[ -f "$server" && -x "$server" ]] || { echo "package.sh: $server is not an executable file" >&2; exit 1; }
  if [[ -z "$target" ]]; then
    arch="$(uname -m)"
    case "$arch" in x86_64|amd64) arch=x64 ;; aarch64|arm64) arch=arm64 ;; armv7l) arch=armhf ;; esac
    os="$(uname -s | tr '[:upper:]' '[:lower:]')"
    case "$os" in linux|darwin) ;; mingw*|msys*|cygwin*) os=win32 ;; esac
    target="$os-$arch"
  fi
  case "$target" in win32-*) exe=openjd-lsp.exe ;; *) exe=openjd-lsp ;; esac
  mkdir -p server
  cp "$server" "server/$exe"
  chmod 755 "server/$exe"
  # Symbols and debug information are most of an unstripped binary; the
  # extension does not need them. A strip that does not know the target's
  # format (a cross-compiled binary) leaves the copy as it is: build such
  # binaries stripped (CARGO_PROFILE_RELEASE_STRIP=symbols).
  if [[ "$exe" != *.exe ]] && command -v strip >/dev/null 2>&1; then
    before=$(wc -c <"server/$exe")
    if strip "server/$exe" 2>/dev/null; then
      echo "package.sh: stripped the server: $before -> $(wc -c <"server/$exe") bytes" >&2
    else
      echo "package.sh: strip cannot read $server (another platform's binary?); bundled as it is" >&2
    fi
  fi
fi

version="$(node -p 'require("./package.json").version')"
name="$(node -p 'require("./package.json").name')"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
vsix="$out/$name-${target:+$target-}$version.vsix"
args=(package --out "$vsix")
[[ -n "$target" ]] && args+=(--target "$target")
npx --no-install vsce "${args[@]}" >&2

bytes=$(wc -c <"$vsix" | tr -d ' ')
echo "package.sh: $(basename "$vsix"): $bytes bytes ($(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }') MiB)" >&2
if ((bytes > max_bytes)); then
  echo "package.sh: $vsix is larger than $max_bytes bytes (OPENJD_VSIX_MAX_BYTES)" >&2
  exit 1
fi
echo "$vsix"
