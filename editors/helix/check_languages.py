#!/usr/bin/env python3
"""Checks editors/helix/languages.toml against the keys and shapes Helix reads.

Helix itself is not installable on every machine, so this parses the file with
the standard library (tomllib, Python 3.11+) and compares it with Helix's
documented languages.toml schema (language-server table, [[language]] entries,
file-type globs) and with the settings openjd-lsp accepts. Run:

    python3 editors/helix/check_languages.py [path/to/languages.toml]

Prints one line per failed check and a final "N passed, M failed" line; exits 1
when anything failed.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

TOP_LEVEL_KEYS = {"language", "language-server", "grammar", "use-grammars"}

SERVER_KEYS = {"command", "args", "config", "timeout", "environment", "required-root-patterns"}

LANGUAGE_KEYS = {
    "name", "language-id", "scope", "injection-regex", "file-types", "shebangs", "roots",
    "auto-format", "comment-token", "comment-tokens", "block-comment-tokens", "indent",
    "language-servers", "grammar", "formatter", "soft-wrap", "text-width", "rulers",
    "workspace-lsp-roots", "persistent-diagnostic-sources", "path-completion",
    "word-completion", "diagnostic-severity", "auto-pairs", "debugger",
}
REQUIRED_LANGUAGE_KEYS = {"name", "scope", "file-types", "roots", "language-servers", "grammar"}

# Language servers that Helix's own languages.toml defines, which a user's file may
# reference without defining them again.
KNOWN_EXTERNAL_SERVERS = {
    "yaml-language-server", "vscode-json-language-server", "taplo", "ansible-language-server",
    "docker-compose-langserver", "helm_ls",
}

# What openjd-lsp accepts in its `openjd` settings section (unknown keys are rejected).
OPENJD_SETTINGS = {
    "diagnostics": {"debounceMs": (int, str)},  # milliseconds, or "auto"
    "log": {"level": str},
    "hints": {"wrappedActions": bool},
    "queues": list,
}
LOG_LEVELS = {"error", "warn", "info", "debug", "trace"}

# Paths the OpenJD globs must (and must not) match.
OPENJD_PATHS = [
    "/home/u/project/job_bundles/render/template.yaml",
    "/home/u/project/job_bundles/a/b/template.yaml",
    "/home/u/farm/queue_environments/docker.yaml",
    "/home/u/farm/render.openjd.yaml",
    "/home/u/farm/openjd-lsp.yaml",
]
NOT_OPENJD_PATHS = [
    "/home/u/sam-app/template.yaml",  # AWS SAM
    "/home/u/project/docker-compose.yaml",
    "/home/u/project/.github/workflows/ci.yaml",
    "/home/u/k8s/deployment.yaml",
]


class Checker:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def check(self, ok: bool, what: str) -> bool:
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL {what}")
        return ok


def is_str_list(v: object) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


def glob_to_regex(glob: str) -> re.Pattern[str]:
    """Helix file-type globs: compared with the absolute path; a glob that is not
    absolute and does not start with a wildcard gets a `*/` prefix. Helix builds
    them with globset's defaults, where `*` also matches `/`."""
    if not glob.startswith("/") and not glob.startswith("*"):
        glob = "*/" + glob
    out, i = [], 0
    while i < len(glob):
        c = glob[i]
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if c == "*":
            out.append(".*")
        elif c == "?":
            out.append(".")
        elif c == "{":
            end = glob.index("}", i)
            out.append("(?:" + "|".join(re.escape(a) for a in glob[i + 1:end].split(",")) + ")")
            i = end + 1
            continue
        elif c == "[":
            end = glob.index("]", i)
            out.append(glob[i:end + 1].replace("[!", "[^"))
            i = end + 1
            continue
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("^" + "".join(out) + "$")


def check_settings(c: Checker, cfg: object, where: str) -> None:
    if not c.check(isinstance(cfg, dict), f"{where} is a table"):
        return
    assert isinstance(cfg, dict)
    section = cfg.get("openjd")
    if not c.check(isinstance(section, dict), f"{where}.openjd is a table (Helix answers workspace/configuration by section path)"):
        return
    assert isinstance(section, dict)
    c.check(set(section) <= set(OPENJD_SETTINGS), f"{where}.openjd has only keys openjd-lsp knows: {sorted(set(section) - set(OPENJD_SETTINGS))}")
    for key, shape in OPENJD_SETTINGS.items():
        if key not in section:
            continue
        value = section[key]
        if isinstance(shape, dict):
            if c.check(isinstance(value, dict), f"{where}.openjd.{key} is a table"):
                c.check(set(value) <= set(shape), f"{where}.openjd.{key} has only known keys: {sorted(set(value) - set(shape))}")
                for k, t in shape.items():
                    if k in value:
                        types = t if isinstance(t, tuple) else (t,)
                        ok = isinstance(value[k], types) and not (int in types and isinstance(value[k], bool))
                        if isinstance(value[k], str) and key == "diagnostics":
                            ok = value[k] == "auto"
                        c.check(ok, f"{where}.openjd.{key}.{k} is a {' or '.join(x.__name__ for x in types)}")
        else:
            if c.check(isinstance(value, list), f"{where}.openjd.{key} is an array"):
                for q in value:
                    c.check(isinstance(q, dict) and isinstance(q.get("name"), str)
                            and is_str_list(q.get("environments", [])) and is_str_list(q.get("jobs", []))
                            and set(q) <= {"name", "environments", "jobs"},
                            f"{where}.openjd.queues entry {q!r} is {{name, environments, jobs}}")
    level = section.get("log", {}).get("level") if isinstance(section.get("log"), dict) else None
    if level is not None:
        c.check(level in LOG_LEVELS, f"{where}.openjd.log.level {level!r} is one of {sorted(LOG_LEVELS)}")


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else Path(__file__).with_name("languages.toml")
    c = Checker()
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        print(f"FAIL {path} does not parse: {e}")
        print("0 passed, 1 failed")
        return 1
    c.check(True, "parses as TOML")
    c.check(set(doc) <= TOP_LEVEL_KEYS, f"top-level keys are Helix's: unknown {sorted(set(doc) - TOP_LEVEL_KEYS)}")

    servers = doc.get("language-server", {})
    c.check(isinstance(servers, dict) and len(servers) > 0, "[language-server.*] tables are defined")
    for name, server in servers.items():
        where = f"language-server.{name}"
        if not c.check(isinstance(server, dict), f"{where} is a table"):
            continue
        c.check(set(server) <= SERVER_KEYS, f"{where}: unknown keys {sorted(set(server) - SERVER_KEYS)}")
        c.check(isinstance(server.get("command"), str) and server["command"] != "", f"{where}.command is a non-empty string")
        if "args" in server:
            c.check(is_str_list(server["args"]), f"{where}.args is a list of strings")
        if "environment" in server:
            env = server["environment"]
            c.check(isinstance(env, dict) and all(isinstance(v, str) for v in env.values()), f"{where}.environment maps names to strings")
        if "timeout" in server:
            c.check(isinstance(server["timeout"], int) and not isinstance(server["timeout"], bool), f"{where}.timeout is an integer")
        if "required-root-patterns" in server:
            c.check(is_str_list(server["required-root-patterns"]), f"{where}.required-root-patterns is a list of strings")
        if "config" in server:
            c.check(isinstance(server["config"], dict), f"{where}.config is a table")
    openjd_server = servers.get("openjd-lsp")
    if c.check(isinstance(openjd_server, dict), "language-server.openjd-lsp is defined"):
        assert isinstance(openjd_server, dict)
        c.check(openjd_server.get("command") == "openjd-lsp", 'language-server.openjd-lsp.command = "openjd-lsp"')
        if "config" in openjd_server:
            check_settings(c, openjd_server["config"], "language-server.openjd-lsp.config")

    languages = doc.get("language", [])
    c.check(isinstance(languages, list) and len(languages) > 0, "[[language]] entries are defined")
    names: list[str] = []
    scopes: list[str] = []
    globs: list[str] = []
    for i, lang in enumerate(languages):
        where = f"language[{i}]"
        if not c.check(isinstance(lang, dict), f"{where} is a table"):
            continue
        name = lang.get("name")
        where = f"language {name!r}"
        c.check(set(lang) <= LANGUAGE_KEYS, f"{where}: unknown keys {sorted(set(lang) - LANGUAGE_KEYS)}")
        c.check(REQUIRED_LANGUAGE_KEYS <= set(lang), f"{where}: missing keys {sorted(REQUIRED_LANGUAGE_KEYS - set(lang))}")
        c.check(isinstance(name, str) and re.fullmatch(r"[a-z0-9][a-z0-9-]*", name or "") is not None, f"{where}: name is a lower-case identifier")
        names.append(str(name))
        scope = lang.get("scope")
        c.check(isinstance(scope, str) and re.fullmatch(r"(source|text)\.[a-z0-9.-]+", scope or "") is not None, f"{where}: scope like source.x")
        scopes.append(str(scope))
        c.check(isinstance(lang.get("grammar"), str) and lang.get("grammar") != "", f"{where}: grammar is a string")
        if "language-id" in lang:
            c.check(isinstance(lang["language-id"], str), f"{where}: language-id is a string")
        c.check(is_str_list(lang.get("roots")), f"{where}: roots is a list of strings")
        file_types = lang.get("file-types")
        if c.check(isinstance(file_types, list) and len(file_types) > 0, f"{where}: file-types is a non-empty list"):
            for ft in file_types:
                if isinstance(ft, str):
                    c.check(ft != "", f"{where}: file-type {ft!r} is not empty")
                elif isinstance(ft, dict):
                    ok = set(ft) == {"glob"} and isinstance(ft["glob"], str) and ft["glob"] != ""
                    if c.check(ok, f"{where}: file-type {ft!r} is {{ glob = \"...\" }}"):
                        try:
                            glob_to_regex(ft["glob"])
                            c.check(True, "glob compiles")
                        except (ValueError, re.error) as e:
                            c.check(False, f"{where}: glob {ft['glob']!r} does not compile: {e}")
                        if name == "openjd":
                            globs.append(ft["glob"])
                else:
                    c.check(False, f"{where}: file-type {ft!r} is a string or a {{ glob = ... }} table")
        servers_used = lang.get("language-servers")
        if c.check(isinstance(servers_used, list) and len(servers_used) > 0, f"{where}: language-servers is a non-empty list"):
            for s in servers_used:
                sname = s if isinstance(s, str) else s.get("name") if isinstance(s, dict) else None
                if isinstance(s, dict):
                    c.check(set(s) <= {"name", "only-features", "except-features"}, f"{where}: language-servers entry {s!r} has known keys")
                c.check(isinstance(sname, str) and (sname in servers or sname in KNOWN_EXTERNAL_SERVERS),
                        f"{where}: language server {sname!r} is defined here or by Helix")
            first = servers_used[0]
            c.check(first == "openjd-lsp" or (isinstance(first, dict) and first.get("name") == "openjd-lsp"),
                    f"{where}: openjd-lsp comes first, so its answers win")
        if "indent" in lang:
            ind = lang["indent"]
            c.check(isinstance(ind, dict) and isinstance(ind.get("tab-width"), int) and isinstance(ind.get("unit"), str),
                    f"{where}: indent = {{ tab-width = N, unit = \"..\" }}")
        if "comment-token" in lang:
            c.check(isinstance(lang["comment-token"], str), f"{where}: comment-token is a string")

    c.check(len(set(names)) == len(names), f"language names are unique: {names}")
    c.check(len(set(scopes)) == len(scopes), f"language scopes are unique: {scopes}")
    c.check("openjd" in names, 'a language named "openjd" exists')

    # The globs the issue asks for, and what they match.
    for wanted in ("**/job_bundles/**/template.yaml", "*.openjd.yaml", "**/queue_environments/*.yaml"):
        c.check(wanted in globs, f"openjd file-types include {{ glob = {wanted!r} }}")
    regexes = [glob_to_regex(g) for g in globs]
    for p in OPENJD_PATHS:
        c.check(any(r.match(p) for r in regexes), f"an openjd glob matches {p}")
    for p in NOT_OPENJD_PATHS:
        c.check(not any(r.match(p) for r in regexes), f"no openjd glob matches {p}")

    print(f"{c.passed} passed, {c.failed} failed")
    return 0 if c.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
