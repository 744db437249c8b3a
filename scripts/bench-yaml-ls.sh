#!/usr/bin/env bash
# Edit -> diagnostics on the 5,000-line template, openjd-lsp against
# yaml-language-server on the same run (benches/yaml_ls.rs).
#
# Installs yaml-language-server 2.0.0 from npm and openjd-model 0.14.0 from
# PyPI into target/yaml-ls (nothing of it is committed), generates the JSON
# schema of job templates from openjd-model's pydantic model, and runs the
# benchmark. Arguments: an older openjd-lsp binary to measure in the same
# rounds (optional). OPENJD_BENCH_ROUNDS sets the rounds (default 2);
# OPENJD_BENCH_SCHEMA=js gives yaml-language-server the schema with its
# patterns rewritten for JavaScript.
#
# Needs node (yaml-language-server 2.0.0 asks for node 22.13 or later, and
# runs on 20) and python3 with venv.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/target/yaml-ls"
cd "$root"
mkdir -p "$dir"

yaml_ls="$dir/node_modules/yaml-language-server/bin/yaml-language-server"
if [[ ! -f "$yaml_ls" ]]; then
  npm install --prefix "$dir" --no-audit --no-fund --loglevel=error yaml-language-server@2.0.0
fi

schema="$dir/jobtemplate-2023-09.schema.json"
js_schema="$dir/jobtemplate-2023-09.js-patterns.schema.json"
if [[ ! -s "$schema" || ! -s "$js_schema" ]]; then
  if [[ ! -x "$dir/venv/bin/python" ]]; then
    python3 -m venv "$dir/venv"
  fi
  "$dir/venv/bin/python" -m pip install --disable-pip-version-check --quiet openjd-model==0.14.0
  # The second schema has the patterns rewritten for JavaScript, which
  # compiles none of pydantic's Python-syntax ones: "(?-m:X)" is X (no
  # multiline flag is set), and "\Z" / "\z" end the string as "$" does.
  "$dir/venv/bin/python" - "$schema" "$js_schema" <<'PY'
import json, re, sys
from openjd.model.v2023_09 import JobTemplate

def js_patterns(node):
    if isinstance(node, dict):
        return {k: (js_pattern(v) if k == "pattern" and isinstance(v, str) else js_patterns(v))
                for k, v in node.items()}
    if isinstance(node, list):
        return [js_patterns(v) for v in node]
    return node

def js_pattern(pattern):
    inner = re.fullmatch(r"\(\?-m:(.*)\)", pattern, re.S)
    if inner:
        pattern = inner.group(1)
    return pattern.replace("\\Z", "$").replace("\\z", "$")

schema = JobTemplate.model_json_schema()
with open(sys.argv[1], "w") as out:
    json.dump(schema, out)
with open(sys.argv[2], "w") as out:
    json.dump(js_patterns(schema), out)
PY
fi
if [[ "${OPENJD_BENCH_SCHEMA:-}" == js ]]; then
  schema="$js_schema"
fi
echo "schema: $schema"

echo "yaml-language-server $(node -p "require('$dir/node_modules/yaml-language-server/package.json').version"), node $(node --version), openjd-model $("$dir/venv/bin/python" -c 'from importlib.metadata import version; print(version("openjd-model"))')"
export OPENJD_BENCH_YAML_LS="$yaml_ls"
export OPENJD_BENCH_YAML_SCHEMA="$schema"
if [[ $# -gt 0 ]]; then
  export OPENJD_BENCH_OLD_BIN="$1"
fi
cargo bench --bench yaml_ls
