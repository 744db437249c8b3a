#!/usr/bin/env bash
# Install the reference OpenJD runtime (the Python `openjd` CLI from PyPI)
# into a virtual environment, for tests/runtime_truth.rs.
#
#   scripts/install-runtime.sh [VENV_DIR]
#
# VENV_DIR defaults to $OPENJD_RUNTIME_VENV, else target/runtime-venv.
# Idempotent: an existing venv with the pinned version is left alone.
# The last line printed is "openjd-cli VERSION".
set -euo pipefail

# Pinned so that every machine tests against the same runtime: the newest
# openjd-cli, which runs WRAP_ACTIONS (RFC 0008) templates, and the
# library versions it was tested with here.
OPENJD_CLI_VERSION="${OPENJD_CLI_VERSION:-0.8.0}"
PINS=("openjd-cli==${OPENJD_CLI_VERSION}")
if [ "$OPENJD_CLI_VERSION" = "0.8.0" ]; then
    PINS+=("openjd-sessions==0.13.0" "openjd-model==0.13.0")
fi

root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${1:-${OPENJD_RUNTIME_VENV:-$root/target/runtime-venv}}"
python="${PYTHON:-python3}"

fail() {
    echo "install-runtime: $*" >&2
    exit 1
}

installed_version() {
    "$venv/bin/python" -c \
        'import importlib.metadata as m; print(m.version("openjd-cli"))' 2>/dev/null || true
}

mkdir -p "$(dirname "$venv")"
# One installer at a time per venv (parallel test binaries, CI jobs).
if command -v flock >/dev/null 2>&1; then
    exec 9>"$venv.lock"
    flock 9
fi

if [ -x "$venv/bin/openjd" ] && [ "$(installed_version)" = "$OPENJD_CLI_VERSION" ]; then
    echo "openjd-cli $OPENJD_CLI_VERSION already installed in $venv"
else
    command -v "$python" >/dev/null 2>&1 ||
        fail "$python not found: install Python 3.9+ (Debian: apt-get install python3 python3-venv)"
    "$python" -m venv "$venv" ||
        fail "'$python -m venv $venv' failed (Debian: apt-get install python3-venv)"
    "$venv/bin/python" -m pip install --disable-pip-version-check --quiet "${PINS[@]}" ||
        fail "pip could not install ${PINS[*]} (is PyPI reachable?)"
    [ -x "$venv/bin/openjd" ] || fail "no openjd command in $venv/bin after installing"
    echo "installed ${PINS[*]} in $venv"
fi

"$venv/bin/openjd" run --help | tr -d ' \n' | grep -q WRAP_ACTIONS ||
    fail "openjd-cli $(installed_version) in $venv does not support the WRAP_ACTIONS extension"
echo "openjd-cli $(installed_version)"
