#!/usr/bin/env bash
# Builds the VS Code extension package (.vsix) with @vscode/vsce.
#
#   editors/vscode/scripts/package.sh [--server PATH] [--target TARGET] [--out DIR]
#
#   --server PATH   bundle this openjd-lsp binary as server/openjd-lsp in the package
#                   (the package is then platform-specific; TARGET defaults to this
#                   machine's, e.g. linux-x64). Without it the package has no server
#                   and uses openjd.server.path or openjd-lsp on PATH.
#   --target T      a vsce target (linux-x64, darwin-arm64, win32-x64, ...).
#   --out DIR       where to write the .vsix (default: editors/vscode/dist).
#
# Prints the path of the .vsix as its last line.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
server="" target="" out="$here/dist"
while (($#)); do
  case "$1" in
    --server) server="$2"; shift 2 ;;
    --target) target="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "package.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

cd "$here"
if [[ ! -d node_modules/@vscode/vsce || ! -d node_modules/vscode-languageclient ]]; then
  npm ci --no-audit --no-fund >&2
fi
npx --no-install tsc -p . >&2

rm -rf server
if [[ -n "$server" ]]; then
  [[ -x "$server" ]] || { echo "package.sh: $server is not an executable file" >&2; exit 1; }
  mkdir -p server
  case "$target" in win32-*) exe=openjd-lsp.exe ;; *) exe=openjd-lsp ;; esac
  cp "$server" "server/$exe"
  chmod 755 "server/$exe"
  if [[ -z "$target" ]]; then
    arch="$(uname -m)"
    case "$arch" in x86_64) arch=x64 ;; aarch64|arm64) arch=arm64 ;; armv7l) arch=armhf ;; esac
    os="$(uname -s | tr '[:upper:]' '[:lower:]')"
    case "$os" in linux) ;; darwin) ;; mingw*|msys*|cygwin*) os=win32 ;; esac
    target="$os-$arch"
  fi
fi

version="$(node -p 'require("./package.json").version')"
name="$(node -p 'require("./package.json").name')"
mkdir -p "$out"
vsix="$out/$name-${target:+$target-}$version.vsix"
args=(package --out "$vsix" --allow-missing-repository --skip-license --no-rewrite-relative-links)
[[ -n "$target" ]] && args+=(--target "$target")
npx --no-install vsce "${args[@]}" >&2
rm -rf server
echo "$vsix"
