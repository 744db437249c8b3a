// Tokenizes lines with the format-string injection grammars (with vscode-textmate
// and the Oniguruma WASM build, as VS Code does) over small stand-in YAML and
// JSON grammars that name their strings the way VS Code's built-in grammars do.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';

import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';

const root = path.resolve(__dirname, '..', '..', '..');

const stubYaml = {
  scopeName: 'source.yaml',
  patterns: [
    { name: 'comment.line.number-sign.yaml', match: '#.*$' },
    { name: 'entity.name.tag.yaml', match: '^\\s*(?:- )?[A-Za-z]+(?=:)' },
    { name: 'string.quoted.double.yaml', begin: '"', end: '"', patterns: [{ name: 'constant.character.escape.yaml', match: '\\\\.' }] },
    { name: 'string.quoted.single.yaml', begin: "'", end: "'(?!')" },
    { name: 'string.unquoted.block.yaml', begin: '\\|$', end: '^(?=\\S)' },
    { name: 'string.unquoted.plain.out.yaml', begin: '(?<=: )(?=[^"\'\\s\\[{|])', end: '$' },
  ],
};
const stubJson = {
  scopeName: 'source.json',
  patterns: [
    { name: 'string.json support.type.property-name.json', match: '"(?:[^"\\\\]|\\\\.)*"(?=\\s*:)' },
    { name: 'string.quoted.double.json', begin: '"', end: '"', patterns: [{ name: 'constant.character.escape.json', match: '\\\\.' }] },
  ],
};

function loadJson(rel: string): unknown {
  return JSON.parse(fs.readFileSync(path.join(root, rel), 'utf8'));
}

interface Manifest {
  contributes: { grammars: { scopeName: string; path: string; injectTo?: string[] }[] };
}

let registry: vsctm.Registry;

before(async () => {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer);
  const manifest = loadJson('package.json') as Manifest;
  const byScope = new Map(manifest.contributes.grammars.map((g) => [g.scopeName, g]));
  registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources: string[]) => new oniguruma.OnigScanner(sources),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName: string) => {
      if (scopeName === 'source.yaml') {
        return vsctm.parseRawGrammar(JSON.stringify(stubYaml), 'yaml.json');
      }
      if (scopeName === 'source.json') {
        return vsctm.parseRawGrammar(JSON.stringify(stubJson), 'json.json');
      }
      const g = byScope.get(scopeName);
      if (!g) {
        return null;
      }
      return vsctm.parseRawGrammar(fs.readFileSync(path.join(root, g.path), 'utf8'), path.join(root, g.path));
    },
    getInjections: (scopeName: string) =>
      manifest.contributes.grammars.filter((g) => g.injectTo?.includes(scopeName)).map((g) => g.scopeName),
  });
});

type Tok = [text: string, scopes: string];

async function tokenize(scope: string, lines: string[]): Promise<Tok[][]> {
  const grammar = await registry.loadGrammar(scope);
  assert.ok(grammar, `grammar ${scope}`);
  let state = vsctm.INITIAL;
  const out: Tok[][] = [];
  for (const line of lines) {
    const r = grammar.tokenizeLine(line, state);
    out.push(r.tokens.map((t) => [line.slice(t.startIndex, t.endIndex), t.scopes.join(' ')]));
    state = r.ruleStack;
  }
  return out;
}

function scopeOf(toks: Tok[], text: string, nth = 0): string {
  const hits = toks.filter(([t]) => t === text);
  const hit = hits[nth];
  assert.ok(hit, `no token ${JSON.stringify(text)} in ${JSON.stringify(toks.map(([t]) => t))}`);
  return hit[1];
}

describe('format-string injection', () => {
  for (const scope of ['source.openjd.yaml', 'source.yaml']) {
    it(`highlights {{ }} in a double-quoted YAML string (${scope})`, async () => {
      const [toks] = await tokenize(scope, ['args: ["--frame", "{{Task.Param.Frame}}"]']);
      assert.ok(toks);
      assert.match(scopeOf(toks, '{{'), /punctuation\.definition\.template-expression\.begin\.openjd/);
      assert.match(scopeOf(toks, 'Task'), /string\.quoted\.double\.yaml .*entity\.name\.namespace\.openjd/);
      assert.match(scopeOf(toks, 'Frame'), /variable\.other\.property\.openjd/);
      assert.match(scopeOf(toks, '}}'), /punctuation\.definition\.template-expression\.end\.openjd/);
      assert.doesNotMatch(scopeOf(toks, '--frame'), /interpolation/);
    });
  }

  it('highlights plain, single-quoted and block YAML strings', async () => {
    const [plain, single, , block] = await tokenize('source.openjd.yaml', [
      'command: bash {{ Env.File.Run }}',
      "name: 'Render {{ Param.Scene.stem }}'",
      'data: |',
      '  echo {{ repr_sh(WrappedAction.Args) }} and {{ 1 + 2 }}',
      'next: x',
    ]);
    assert.ok(plain && single && block);
    assert.match(scopeOf(plain, 'Env'), /string\.unquoted\.plain\.out\.yaml .*entity\.name\.namespace\.openjd/);
    assert.match(scopeOf(single, 'Param'), /string\.quoted\.single\.yaml .*entity\.name\.namespace\.openjd/);
    assert.match(scopeOf(single, 'stem'), /variable\.other\.property\.openjd/);
    assert.match(scopeOf(block, 'repr_sh'), /string\.unquoted\.block\.yaml .*support\.function\.openjd/);
    assert.match(scopeOf(block, 'WrappedAction'), /entity\.name\.namespace\.openjd/);
    assert.match(scopeOf(block, '1'), /constant\.numeric\.openjd/);
    assert.match(scopeOf(block, '+'), /keyword\.operator\.arithmetic\.openjd/);
  });

  it('highlights the EXPR language', async () => {
    const [toks] = await tokenize('source.openjd.yaml', [
      "x: \"{{ 'a' if Param.Debug == true else string(len([n for n in Param.Items])) }}\"",
    ]);
    assert.ok(toks);
    assert.match(scopeOf(toks, "'a'"), /string\.quoted\.single\.openjd/);
    assert.match(scopeOf(toks, 'if'), /keyword\.control\.openjd/);
    assert.match(scopeOf(toks, 'true'), /constant\.language\.openjd/);
    assert.match(scopeOf(toks, '=='), /keyword\.operator\.comparison\.openjd/);
    assert.match(scopeOf(toks, 'string'), /support\.function\.openjd/);
    assert.match(scopeOf(toks, 'in'), /keyword\.operator\.logical\.openjd/);
    assert.match(scopeOf(toks, 'Debug'), /variable\.other\.property\.openjd/);
  });

  it('ends an unterminated interpolation at the closing quote of its string', async () => {
    const [toks] = await tokenize('source.openjd.yaml', ['args: ["{{ Param.Fr", "after"]']);
    assert.ok(toks);
    assert.doesNotMatch(scopeOf(toks, 'after'), /interpolation/);
  });

  it('leaves text without {{ alone', async () => {
    const [toks] = await tokenize('source.openjd.yaml', ['name: "Param.Frame is {not} here"']);
    assert.ok(toks);
    assert.ok(toks.every(([, s]) => !s.includes('interpolation')), JSON.stringify(toks));
  });

  for (const scope of ['source.openjd.json', 'source.json']) {
    it(`highlights JSON strings but not property names (${scope})`, async () => {
      const [toks] = await tokenize(scope, ['{"args": ["{{ repr_json(\\"a\\") }}", "{{Param.Out}}"], "{{k}}": 1}']);
      assert.ok(toks);
      assert.match(scopeOf(toks, 'repr_json'), /string\.quoted\.double\.json .*support\.function\.openjd/);
      assert.match(scopeOf(toks, '\\"a\\"'), /string\.quoted\.double\.escaped\.openjd/);
      assert.match(scopeOf(toks, 'Out'), /variable\.other\.property\.openjd/);
      assert.match(scopeOf(toks, '"{{k}}"'), /property-name/);
      assert.ok(toks.every(([, s]) => !(s.includes('property-name') && s.includes('interpolation'))), JSON.stringify(toks));
    });
  }
});
