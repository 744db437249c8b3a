#!/usr/bin/env bash
# Every benchmark in one go, as the README reports them:
#   analysis   typical 150-line and generated 5,000-line templates; completion
#              and hover at 200 positions of the 5,000-line one
#   corpus     `check` over the conformance corpus vs the reference CLI
#   server     didChange -> publishDiagnostics latency; memory with 200 open
#   workspace  indexing 2,000 templates; wrap hover on actions
#   preview    session preview of a generated 200-step job
#   hostile    a 10 MiB template open in the server; an expression bomb in
#              `check` and the server; a 50 MiB file in a 2,000-template
#              workspace
#   bundles    `check` on 2,000 job bundles vs their templates alone
# The reference CLI (openjd-cli 0.1.18, the Rust `openjd`) is installed into
# target/reference-cli on first use (about 100 s). Results are also written
# to target/bench-results.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

ref="${OPENJD_REFERENCE_CLI:-}"
if [ -z "$ref" ]; then
  ref="$PWD/target/reference-cli/bin/openjd"
  if [ ! -x "$ref" ]; then
    echo "== installing the reference CLI into target/reference-cli"
    cargo install openjd-cli --version 0.1.18 --locked --root target/reference-cli
  fi
fi
export OPENJD_REFERENCE_CLI="$ref"

cargo bench --no-run
{
  echo "== $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, $(uname -m)"
  for bench in analysis corpus server workspace preview hostile bundles; do
    echo "== $bench"
    cargo bench --quiet --bench "$bench"
  done
} | tee target/bench-results.txt
