import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';

import { bundledPath, executableNames, expandPath, findServer, type DiscoveryInput } from '../../src/serverDiscovery';

function input(over: Partial<DiscoveryInput>, executables: string[] = []): DiscoveryInput {
  const set = new Set(executables);
  return {
    extensionPath: '/ext',
    platform: 'linux',
    env: { PATH: '/usr/local/bin:/usr/bin', HOME: '/home/u' },
    isExecutable: (p) => set.has(p),
    ...over,
  };
}

describe('findServer', () => {
  it('prefers openjd.server.path', () => {
    const r = findServer(input({ configuredPath: '/opt/openjd-lsp' }, ['/opt/openjd-lsp', '/ext/server/openjd-lsp']));
    assert.deepEqual(r, { ok: true, path: '/opt/openjd-lsp', source: 'setting' });
  });
  it('expands ~ and resolves relative paths against the workspace folder', () => {
    const home = findServer(input({ configuredPath: '~/bin/openjd-lsp' }, ['/home/u/bin/openjd-lsp']));
    assert.deepEqual(home, { ok: true, path: '/home/u/bin/openjd-lsp', source: 'setting' });
    const rel = findServer(
      input({ configuredPath: 'target/debug/openjd-lsp', workspaceFolder: '/repo' }, ['/repo/target/debug/openjd-lsp']),
    );
    assert.deepEqual(rel, { ok: true, path: '/repo/target/debug/openjd-lsp', source: 'setting' });
  });
  it('reports a configured path that does not exist instead of falling back', () => {
    const r = findServer(input({ configuredPath: '/nope/openjd-lsp' }, ['/ext/server/openjd-lsp']));
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.match(r.message, /openjd\.server\.path/);
      assert.match(r.message, /\/nope\/openjd-lsp/);
      assert.deepEqual(r.tried, ['/nope/openjd-lsp']);
    }
  });
  it('ignores a blank setting', () => {
    const r = findServer(input({ configuredPath: '   ' }, ['/ext/server/openjd-lsp']));
    assert.deepEqual(r, { ok: true, path: '/ext/server/openjd-lsp', source: 'bundled' });
  });
  it('uses the bundled binary before PATH', () => {
    const r = findServer(input({}, ['/ext/server/openjd-lsp', '/usr/bin/openjd-lsp']));
    assert.deepEqual(r, { ok: true, path: '/ext/server/openjd-lsp', source: 'bundled' });
  });
  it('searches PATH in order', () => {
    const r = findServer(input({}, ['/usr/bin/openjd-lsp', '/usr/local/bin/openjd-lsp']));
    assert.deepEqual(r, { ok: true, path: '/usr/local/bin/openjd-lsp', source: 'path' });
  });
  it('says clearly when nothing is found', () => {
    const r = findServer(input({}));
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.match(r.message, /openjd-lsp/);
      assert.match(r.message, /openjd\.server\.path/);
      assert.deepEqual(r.tried, ['/ext/server/openjd-lsp', '/usr/local/bin/openjd-lsp', '/usr/bin/openjd-lsp']);
    }
  });
  it('copes with an empty or missing PATH', () => {
    assert.equal(findServer(input({ env: {} })).ok, false);
    assert.equal(findServer(input({ env: { PATH: '::' } })).ok, false);
  });
  it('handles Windows names, PATHEXT and a case-insensitive Path variable', () => {
    const env = { Path: 'C:\\tools;"C:\\Program Files\\openjd"', PATHEXT: '.COM;.EXE;.CMD' };
    const r = findServer(
      input({ platform: 'win32', extensionPath: 'C:\\ext', env }, ['C:\\Program Files\\openjd\\openjd-lsp.exe']),
    );
    assert.deepEqual(r, { ok: true, path: 'C:\\Program Files\\openjd\\openjd-lsp.exe', source: 'path' });
    assert.equal(bundledPath('C:\\ext', 'win32'), 'C:\\ext\\server\\openjd-lsp.exe');
    assert.deepEqual(executableNames('win32', env), ['openjd-lsp.exe', 'openjd-lsp.com', 'openjd-lsp.cmd']);
    assert.deepEqual(executableNames('darwin', env), ['openjd-lsp']);
  });
});

describe('expandPath', () => {
  it('expands variables', () => {
    const i = { platform: 'linux', env: { HOME: '/h', TOOLS: '/t' }, workspaceFolder: '/w' };
    assert.equal(expandPath('${userHome}/x', i), '/h/x');
    assert.equal(expandPath('${env:TOOLS}/openjd-lsp', i), '/t/openjd-lsp');
    assert.equal(expandPath('${workspaceFolder}/bin/openjd-lsp', i), '/w/bin/openjd-lsp');
    assert.equal(expandPath('  /abs/openjd-lsp ', i), '/abs/openjd-lsp');
    assert.equal(expandPath('rel', { platform: 'linux', env: {} }), 'rel');
  });
});

describe('findServer with the real file system', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openjd-discovery-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const isExecutable = (p: string): boolean => {
    try {
      if (!fs.statSync(p).isFile()) {
        return false;
      }
      fs.accessSync(p, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };

  it('finds an executable file on PATH and skips a non-executable one', { skip: process.platform === 'win32' }, () => {
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    fs.mkdirSync(a);
    fs.mkdirSync(b);
    fs.writeFileSync(path.join(a, 'openjd-lsp'), '#!/bin/sh\n', { mode: 0o644 });
    fs.writeFileSync(path.join(b, 'openjd-lsp'), '#!/bin/sh\n', { mode: 0o755 });
    fs.mkdirSync(path.join(dir, 'ext', 'server', 'openjd-lsp'), { recursive: true }); // a directory, not a file
    const r = findServer({
      extensionPath: path.join(dir, 'ext'),
      platform: process.platform,
      env: { PATH: [a, b].join(path.delimiter) },
      isExecutable,
    });
    assert.deepEqual(r, { ok: true, path: path.join(b, 'openjd-lsp'), source: 'path' });
  });
});
