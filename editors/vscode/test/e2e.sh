#!/usr/bin/env bash
# End-to-end test of the VS Code extension in a real VS Code: code-server 4.100.3
# (VS Code 1.100.3) in headless Chromium, driven by playwright-core.
#
#   editors/vscode/test/e2e.sh
#
# Environment:
#   OPENJD_LSP_BIN     server binary (default: the newer of target/release/openjd-lsp
#                      and target/debug/openjd-lsp of this repository)
#   OPENJD_E2E_CACHE   where code-server is installed (default ~/.cache/openjd-e2e);
#                      the first run installs it (about 2 minutes), later runs reuse it
#   OPENJD_E2E_WRAP=1  also check the wrap-action features (hover on a task's onRun
#                      names the wrapping environment; completion inside {{ in an
#                      onWrapTaskRun hook offers WrappedAction.Command). Off by
#                      default until the server implements them.
#   OPENJD_E2E_SHOTS   where screenshots go (default: target/e2e-screenshots of this
#                      repository, so that a test run changes no tracked file)
#   OPENJD_REFRESH_DOCS=1  after a passing run, copy the screenshots over the README's
#                      images in docs/ (do this when the editor's look changed)
#   OPENJD_E2E_KEEP=1  keep the temporary user-data/workspace folder
#
# The workspace is a copy of the repository's examples/ folder (job_bundle/template.yaml
# clean, queue_environments/docker.yaml clean with wrap hooks, broken/template.yaml with
# errors), a job that its queue's environment would wrap a second time
# (test/fixtures/double_wrap: the cross-file wrap-single-layer error, which VS Code
# pulls), plus a non-OpenJD `template.yaml` (AWS SAM, from test/fixtures/) to check
# that the extension leaves other YAML alone.
#
# Exits non-zero when code-server cannot be installed or started, or when any
# check fails. The last line is "N passed, M failed".
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ext="$(cd "$here/.." && pwd)"
repo="$(cd "$ext/../.." && pwd)"
cache="${OPENJD_E2E_CACHE:-$HOME/.cache/openjd-e2e}"
shots="${OPENJD_E2E_SHOTS:-$repo/target/e2e-screenshots}"

loud() {
  {
    echo
    echo "########################################################################"
    echo "## VS Code e2e: FAILED"
    while (($#)); do echo "## $1"; shift; done
    echo "########################################################################"
    echo "0 passed, 1 failed"
  } >&2
  exit 1
}

# --- the server --------------------------------------------------------------
bin="${OPENJD_LSP_BIN:-}"
if [[ -z "$bin" ]]; then
  # The newer of the release and debug builds.
  for c in "$repo/target/release/openjd-lsp" "$repo/target/debug/openjd-lsp"; do
    if [[ -x "$c" && ( -z "$bin" || "$c" -nt "$bin" ) ]]; then bin="$c"; fi
  done
fi
[[ -n "$bin" ]] || loud "no server binary: build it (cargo build) or set OPENJD_LSP_BIN"
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
[[ -x "$bin" ]] || loud "server binary $bin is not an executable file"
echo "e2e: server $bin ($("$bin" --version 2>/dev/null | head -1 || echo 'no --version'))"

# --- code-server -------------------------------------------------------------
t0=$SECONDS
cs_entry="$("$here/install-code-server.sh" "$cache" | tail -1)" \
  || loud "could not install code-server 4.100.3 into $cache" "(see the messages above; it needs the npm registry and, as root, apt)"
[[ -f "$cs_entry" ]] || loud "code-server entry point missing: $cs_entry"
echo "e2e: code-server ready ($((SECONDS - t0)) s)"
command -v chromium >/dev/null || loud "chromium is not installed (apt-get install chromium)"

# --- the extension -----------------------------------------------------------
cd "$ext"
if [[ ! -d node_modules/playwright-core || ! -d node_modules/vscode-languageclient ]]; then
  npm ci --no-audit --no-fund || loud "npm ci failed in $ext"
fi
vsix="$(bash scripts/package.sh --out "$cache/vsix" | tail -1)" || loud "packaging the extension failed"

work="$(mktemp -d "${TMPDIR:-/tmp}/openjd-e2e.XXXXXX")"
cs_pid=""
cleanup() {
  if [[ -n "$cs_pid" ]]; then
    kill -TERM -- "-$cs_pid" 2>/dev/null || kill -TERM "$cs_pid" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$cs_pid" 2>/dev/null || break; sleep 0.3; done
    kill -KILL -- "-$cs_pid" 2>/dev/null || true
  fi
  if [[ "${OPENJD_E2E_KEEP:-}" == 1 ]]; then echo "e2e: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

data="$work/user-data" exts="$work/extensions" ws="$work/workspace"
mkdir -p "$data/User" "$exts" "$work/xdg-config" "$work/xdg-data"
export XDG_CONFIG_HOME="$work/xdg-config" XDG_DATA_HOME="$work/xdg-data"

node "$cs_entry" --extensions-dir "$exts" --user-data-dir "$data" --install-extension "$vsix" --force \
  >"$work/install-extension.log" 2>&1 || { cat "$work/install-extension.log" >&2; loud "code-server could not install $vsix"; }

# --- the workspace -----------------------------------------------------------
src="$repo/examples"
for f in job_bundle/template.yaml queue_environments/docker.yaml broken/template.yaml; do
  [[ -f "$src/$f" ]] || loud "missing example $src/$f"
done
mkdir -p "$ws"
cp -R "$src/." "$ws/"
mkdir -p "$ws/not_openjd"
cp "$here/fixtures/sam/template.yaml" "$ws/not_openjd/template.yaml"
printf 'name: scratch\n' >"$ws/not_openjd/scratch.yaml"
mkdir -p "$ws/json_job"
cp "$here/fixtures/json/template.json" "$ws/json_job/template.json"
# A job under job_with_environments/, which examples/openjd-lsp.yaml puts on the queue
# that the Docker environment already wraps: its own wrapper is a cross-file error.
mkdir -p "$ws/job_with_environments/sandboxed"
cp "$here/fixtures/double_wrap/template.yaml" "$ws/job_with_environments/sandboxed/template.yaml"
# The job bundle runs on a queue whose environment is the Docker example, so the
# server can say which environment wraps its actions. A workspace openjd-lsp.yaml,
# if the examples have one, is used instead.
queues='[]'
if [[ ! -f "$ws/openjd-lsp.yaml" && ! -f "$ws/.openjd-lsp.yaml" ]]; then
  queues="[{\"name\": \"e2e\", \"environments\": [\"$ws/queue_environments/docker.yaml\"], \"jobs\": [\"**/job_bundle/template.yaml\"]}]"
fi

cat >"$data/User/settings.json" <<EOF
{
  "security.workspace.trust.enabled": false,
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "telemetry.telemetryLevel": "off",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "update.mode": "none",
  "files.hotExit": "off",
  "window.restoreWindows": "none",
  "editor.minimap.enabled": false,
  "editor.wordBasedSuggestions": "off",
  "chat.commandCenter.enabled": false,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "openjd.server.path": "$bin",
  "openjd.log.level": "debug",
  "openjd.queues": $queues
}
EOF

# --- start code-server ---------------------------------------------------------
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
printf 'bind-addr: 127.0.0.1:%s\nauth: none\ncert: false\n' "$port" >"$work/config.yaml"
setsid node "$cs_entry" --config "$work/config.yaml" --bind-addr "127.0.0.1:$port" --auth none \
  --disable-telemetry --disable-update-check --disable-workspace-trust --disable-getting-started-override \
  --user-data-dir "$data" --extensions-dir "$exts" "$ws" >"$work/code-server.log" 2>&1 &
cs_pid=$!
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
  kill -0 "$cs_pid" 2>/dev/null || { cat "$work/code-server.log" >&2; loud "code-server exited at start-up"; }
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 || { cat "$work/code-server.log" >&2; loud "code-server did not answer on 127.0.0.1:$port"; }
echo "e2e: code-server on 127.0.0.1:$port (pid $cs_pid)"

# --- drive it ----------------------------------------------------------------
mkdir -p "$shots"
status=0
OPENJD_E2E_URL="http://127.0.0.1:$port/" OPENJD_E2E_WORKSPACE="$ws" OPENJD_E2E_SHOTS="$shots" \
  OPENJD_E2E_FAILSHOT="$shots/vscode-e2e-failure.png" node "$here/e2e.mjs" || status=$?
if ((status == 0)) && [[ "${OPENJD_REFRESH_DOCS:-}" == 1 ]]; then
  for png in "$shots"/vscode-{diagnostics,hover,completion}.png; do
    if [[ -f "$png" ]]; then cp "$png" "$repo/docs/" && echo "e2e: refreshed docs/$(basename "$png")"; fi
  done
fi
if ((status != 0)); then
  echo "e2e: code-server log: $work/code-server.log (kept with OPENJD_E2E_KEEP=1)" >&2
  if [[ "${OPENJD_E2E_KEEP:-}" != 1 ]]; then tail -30 "$work/code-server.log" >&2 || true; fi
fi
exit "$status"
