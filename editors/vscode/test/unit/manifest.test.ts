// Checks the extension manifest against the server's settings and the code.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import { SERVER_COMMAND, SHOW_COMMAND } from '../../src/previewText';
import { DEFAULTS, LOG_LEVELS } from '../../src/settings';

const root = path.resolve(__dirname, '..', '..', '..');

interface Prop {
  type: string;
  default: unknown;
  enum?: string[];
  description?: string;
  markdownDescription?: string;
}
interface Manifest {
  main: string;
  engines: { vscode: string };
  dependencies: Record<string, string>;
  activationEvents: string[];
  contributes: {
    languages: { id: string; filenames?: string[]; filenamePatterns?: string[]; configuration: string }[];
    grammars: { language?: string; scopeName: string; path: string; injectTo?: string[] }[];
    configuration: { properties: Record<string, Prop> };
    configurationDefaults: Record<string, Record<string, unknown>>;
    commands: { command: string; title: string }[];
  };
}

const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest;
const props = manifest.contributes.configuration.properties;

describe('package.json', () => {
  it('targets VS Code ^1.90 and vscode-languageclient 9', () => {
    assert.equal(manifest.engines.vscode, '^1.90.0');
    assert.match(manifest.dependencies['vscode-languageclient'] ?? '', /^[~^]?9\./);
    assert.equal(manifest.main, './out/src/extension.js');
  });

  it('has a setting with a description for every server option, with the server defaults', () => {
    const expected: Record<string, unknown> = {
      'openjd.diagnostics.debounceMs': DEFAULTS.diagnostics.debounceMs,
      'openjd.log.level': DEFAULTS.log.level,
      'openjd.hints.wrappedActions': DEFAULTS.hints.wrappedActions,
      'openjd.files.maxSizeMiB': DEFAULTS.files.maxSizeMiB,
      'openjd.queues': DEFAULTS.queues,
      'openjd.server.path': '',
      'openjd.trace.server': 'off',
    };
    for (const [key, def] of Object.entries(expected)) {
      const p = props[key];
      assert.ok(p, `setting ${key}`);
      assert.deepEqual(p.default, def, key);
      assert.ok((p.description ?? p.markdownDescription ?? '').length > 20, `${key} has a description`);
    }
    assert.deepEqual(props['openjd.log.level']?.enum, [...LOG_LEVELS]);
    assert.deepEqual(props['openjd.trace.server']?.enum, ['off', 'messages', 'verbose']);
    for (const [key, p] of Object.entries(props)) {
      assert.ok(key.startsWith('openjd.'), key);
      assert.ok(p.description ?? p.markdownDescription, `${key} has a description`);
    }
  });

  it('leaves watching files to the server, which registers its own watcher', () => {
    // A client-side watcher as well would send every change twice.
    const source = fs.readFileSync(path.join(root, 'src', 'extension.ts'), 'utf8');
    assert.doesNotMatch(source, /createFileSystemWatcher|fileEvents/);
  });

  it('names the repository, and its README shows images by absolute URL', () => {
    const m = manifest as unknown as { repository: { url: string }; license: string };
    assert.match(m.repository.url, /^https:\/\/github\.com\/[^/]+\/[^/]+$/);
    assert.equal(m.license, 'Apache-2.0');
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    for (const [, url] of readme.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)) {
      assert.ok(url?.startsWith(`${m.repository.url}/raw/main/`), url);
    }
  });

  it('turns on completion inside strings for OpenJD documents only', () => {
    for (const lang of ['openjd-yaml', 'openjd-json']) {
      const qs = manifest.contributes.configurationDefaults[`[${lang}]`]?.['editor.quickSuggestions'] as Record<string, string>;
      assert.equal(qs?.strings, 'on', lang);
    }
    assert.equal(manifest.contributes.configurationDefaults['[yaml]'], undefined);
  });

  it('declares both languages with grammars and language configurations that exist', () => {
    const ids = manifest.contributes.languages.map((l) => l.id);
    assert.deepEqual(ids, ['openjd-yaml', 'openjd-json']);
    for (const l of manifest.contributes.languages) {
      JSON.parse(fs.readFileSync(path.join(root, l.configuration), 'utf8'));
    }
    assert.ok(manifest.contributes.languages[0]?.filenames?.includes('openjd-lsp.yaml'));
    for (const g of manifest.contributes.grammars) {
      const grammar = JSON.parse(fs.readFileSync(path.join(root, g.path), 'utf8')) as { scopeName: string };
      assert.equal(grammar.scopeName, g.scopeName, g.path);
    }
    const injected = new Set(manifest.contributes.grammars.flatMap((g) => g.injectTo ?? []));
    for (const scope of ['source.yaml', 'source.json', 'source.openjd.yaml', 'source.openjd.json']) {
      assert.ok(injected.has(scope), `injection into ${scope}`);
    }
  });

  it('activates for YAML and JSON so that templates can be detected', () => {
    for (const lang of ['yaml', 'json']) {
      assert.ok(manifest.activationEvents.includes(`onLanguage:${lang}`), lang);
    }
  });

  it('contributes exactly the commands the extension registers', () => {
    const src = fs.readFileSync(path.join(root, 'src', 'extension.ts'), 'utf8');
    const registered = [...src.matchAll(/registerCommand\('([^']+)'/g)].map((m) => m[1]).sort();
    const contributed = manifest.contributes.commands.map((c) => c.command).sort();
    assert.deepEqual(registered, contributed);
    assert.deepEqual(contributed, ['openjd.restartServer', 'openjd.showOutput', SHOW_COMMAND]);
    // The server's own command is registered by the language client, not here.
    assert.ok(!contributed.includes(SERVER_COMMAND));
  });
});

describe('pure modules', () => {
  it('do not import vscode, so they run under plain node', () => {
    for (const f of ['detect.js', 'serverDiscovery.js', 'settings.js', 'previewText.js']) {
      const js = fs.readFileSync(path.join(root, 'out', 'src', f), 'utf8');
      assert.doesNotMatch(js, /require\("vscode"\)/, f);
    }
  });
});
