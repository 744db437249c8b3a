#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100.3, the last release that runs on
# Node 20) into a cache directory, from the npm registry only: no step of the
# upstream install that downloads prebuilt binaries from elsewhere is run.
#
#   editors/vscode/test/install-code-server.sh [CACHE_DIR]
#
# CACHE_DIR defaults to ${OPENJD_E2E_CACHE:-$HOME/.cache/openjd-e2e}. A finished
# install leaves a marker file, so a second run returns at once. Prints the
# code-server executable's path as its last line of stdout.
set -euo pipefail

CS_VERSION=4.100.3
CACHE="${1:-${OPENJD_E2E_CACHE:-$HOME/.cache/openjd-e2e}}"
CS="$CACHE/code-server-$CS_VERSION"
MARKER="$CS/.install-complete"
BIN="$CS/node_modules/code-server/out/node/entry.js"

die() {
  {
    echo
    echo "################################################################"
    echo "## install-code-server: FAILED"
    echo "## $*"
    echo "################################################################"
  } >&2
  exit 1
}

if [[ -f "$MARKER" && -f "$BIN" ]]; then
  echo "$BIN"
  exit 0
fi

need_apt=()
for cmd_pkg in pkg-config:pkg-config rg:ripgrep chromium:chromium; do
  command -v "${cmd_pkg%%:*}" >/dev/null 2>&1 || need_apt+=("${cmd_pkg#*:}")
done
for hdr_pkg in X11/Xlib.h:libx11-dev X11/extensions/XKBfile.h:libxkbfile-dev \
               libsecret-1/libsecret/secret.h:libsecret-1-dev krb5.h:libkrb5-dev; do
  [[ -e "/usr/include/${hdr_pkg%%:*}" ]] || need_apt+=("${hdr_pkg#*:}")
done
if ((${#need_apt[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "install-code-server: apt-get install ${need_apt[*]}" >&2
    apt-get update -qq >&2 || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >&2 \
      || die "apt-get install ${need_apt[*]} failed"
  else
    die "missing system packages: ${need_apt[*]} (install them with apt-get as root)"
  fi
fi

command -v node >/dev/null || die "node is not installed"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[[ "$node_major" == 20 ]] || echo "install-code-server: warning: code-server $CS_VERSION wants Node 20, found $(node --version)" >&2

rm -rf "$CS"
mkdir -p "$CS"
export npm_config_unsafe_perm=true npm_config_yes=true npm_config_fund=false npm_config_audit=false
# Every step runs under `set -e` with absolute paths: a step that fails stops
# the install here (the ERR trap says so) instead of going on in whatever
# folder the caller was in. (Once, a failed `cd` inside a `{ ...; } || die`
# block, where `set -e` does not apply, let the steps below write
# node_modules/, node_modules.asar and package-lock.json into the repository.)
exec 3>&1 1>&2
trap 'die "installing code-server@$CS_VERSION failed at line $LINENO (see the npm output above)"' ERR
VS="$CS/node_modules/code-server/lib/vscode"
echo "install-code-server: installing code-server@$CS_VERSION into $CS (takes a few minutes)"
npm install --prefix "$CS" --ignore-scripts --no-save "code-server@$CS_VERSION"
[[ -d "$VS" ]] || die "npm did not install $VS"
(cd "$CS" && npm rebuild argon2 --foreground-scripts)
(cd "$VS" && npm install --omit=dev --ignore-scripts)
(cd "$VS" && npm rebuild @parcel/watcher @vscode/deviceid @vscode/spdlog kerberos native-watchdog node-pty --foreground-scripts)
mkdir -p "$VS/node_modules/@vscode/ripgrep/bin"
cp "$(command -v rg)" "$VS/node_modules/@vscode/ripgrep/bin/rg"
ln -sfn node_modules "$VS/node_modules.asar"
ln -sfn code-linux.sh "$VS/bin/remote-cli/code-server"
ln -sfn browser-linux.sh "$VS/bin/helpers/browser.sh"
(cd "$VS/extensions" && npm install --omit=dev --ignore-scripts)
trap - ERR

[[ -f "$BIN" ]] || die "code-server entry point $BIN is missing after install"
touch "$MARKER"
echo "$BIN" >&3
