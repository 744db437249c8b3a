#!/usr/bin/env bash
# The project's test command: unit, conformance, CLI, protocol and
# bad-input tests in an optimized build (the bad-input tests assert the
# one-second limits), then the editor integration tests.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --release
