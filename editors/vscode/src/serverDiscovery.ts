// Finding the `openjd-lsp` executable.
//
// Pure module (no `vscode` import): everything it needs from the outside world
// comes in through `DiscoveryInput`, so it is unit tested with plain node.
//
// Order:
//   1. the `openjd.server.path` setting, when it is not empty (an error if it
//      points at nothing: a path the user wrote is never silently ignored);
//   2. the binary bundled in the extension: `server/openjd-lsp` (`.exe` on Windows);
//   3. `openjd-lsp` on `PATH`.

import * as nodePath from 'node:path';

export const SERVER_NAME = 'openjd-lsp';

export type ServerSource = 'setting' | 'bundled' | 'path';

export interface DiscoveryInput {
  /** Value of `openjd.server.path` (may be empty or undefined). */
  configuredPath?: string | undefined;
  /** Absolute path of the extension's install folder. */
  extensionPath: string;
  /** First workspace folder, to resolve a relative `openjd.server.path` and `${workspaceFolder}`. */
  workspaceFolder?: string | undefined;
  /** `process.platform`. */
  platform: string;
  /** Environment: `PATH` (or `Path` on Windows), `PATHEXT`, `HOME`/`USERPROFILE`. */
  env: Record<string, string | undefined>;
  /** True when `path` is an executable regular file. */
  isExecutable: (path: string) => boolean;
}

export interface Found {
  ok: true;
  path: string;
  source: ServerSource;
}

export interface NotFound {
  ok: false;
  /** A message for the user: what was tried and what to do. */
  message: string;
  /** Every path that was looked at, in order. */
  tried: string[];
}

export type DiscoveryResult = Found | NotFound;

function pathApi(platform: string): typeof nodePath.posix {
  return platform === 'win32' ? nodePath.win32 : nodePath.posix;
}

function envVar(env: Record<string, string | undefined>, name: string, platform: string): string | undefined {
  if (platform !== 'win32') {
    return env[name];
  }
  const key = Object.keys(env).find((k) => k.toUpperCase() === name.toUpperCase());
  return key === undefined ? undefined : env[key];
}

/** Expands `~`, `${userHome}`, `${workspaceFolder}` and `${env:NAME}` in a configured path. */
export function expandPath(raw: string, input: Pick<DiscoveryInput, 'env' | 'platform' | 'workspaceFolder'>): string {
  const home = envVar(input.env, 'HOME', input.platform) ?? envVar(input.env, 'USERPROFILE', input.platform) ?? '';
  let p = raw.trim();
  p = p.replace(/\$\{env:([^}]+)\}/g, (_m, name: string) => envVar(input.env, name, input.platform) ?? '');
  p = p.replace(/\$\{userHome\}/g, home);
  if (input.workspaceFolder !== undefined) {
    p = p.replace(/\$\{workspaceFolder\}/g, input.workspaceFolder);
  }
  if (home && (p === '~' || p.startsWith('~/') || p.startsWith('~\\'))) {
    p = home + p.slice(1);
  }
  const api = pathApi(input.platform);
  if (!api.isAbsolute(p) && input.workspaceFolder !== undefined) {
    p = api.join(input.workspaceFolder, p);
  }
  return p;
}

/** The file names the server may have on this platform. */
export function executableNames(platform: string, env: Record<string, string | undefined>): string[] {
  if (platform !== 'win32') {
    return [SERVER_NAME];
  }
  const exts = (envVar(env, 'PATHEXT', platform) ?? '.EXE;.CMD;.BAT')
    .split(';')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e.length > 0);
  const names = [`${SERVER_NAME}.exe`];
  for (const e of exts) {
    const n = SERVER_NAME + e;
    if (!names.includes(n)) {
      names.push(n);
    }
  }
  return names;
}

/** The path of the binary bundled in the extension. */
export function bundledPath(extensionPath: string, platform: string): string {
  const exe = platform === 'win32' ? `${SERVER_NAME}.exe` : SERVER_NAME;
  return pathApi(platform).join(extensionPath, 'server', exe);
}

/** Finds the server. Never throws. */
export function findServer(input: DiscoveryInput): DiscoveryResult {
  const tried: string[] = [];
  const api = pathApi(input.platform);

  const configured = input.configuredPath?.trim();
  if (configured) {
    const p = expandPath(configured, input);
    tried.push(p);
    if (input.isExecutable(p)) {
      return { ok: true, path: p, source: 'setting' };
    }
    return {
      ok: false,
      tried,
      message:
        `The setting openjd.server.path is "${configured}", but there is no executable file at ${p}. ` +
        'Fix the path, or clear the setting to use the bundled server or the openjd-lsp on PATH.',
    };
  }

  const bundled = bundledPath(input.extensionPath, input.platform);
  tried.push(bundled);
  if (input.isExecutable(bundled)) {
    return { ok: true, path: bundled, source: 'bundled' };
  }

  const pathVar = envVar(input.env, 'PATH', input.platform) ?? '';
  const delimiter = input.platform === 'win32' ? ';' : ':';
  const names = executableNames(input.platform, input.env);
  for (const dir of pathVar.split(delimiter)) {
    const d = dir.trim().replace(/^"(.*)"$/, '$1');
    if (!d) {
      continue;
    }
    for (const name of names) {
      const p = api.join(d, name);
      tried.push(p);
      if (input.isExecutable(p)) {
        return { ok: true, path: p, source: 'path' };
      }
    }
  }

  return {
    ok: false,
    tried,
    message:
      'The OpenJD language server (openjd-lsp) was not found: it is not bundled with this extension ' +
      'and not on PATH. Install it (for example `cargo install --path .` in an openjd-lsp checkout) ' +
      'or set openjd.server.path to the full path of the openjd-lsp binary.',
  };
}
