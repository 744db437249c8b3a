#!/usr/bin/env node
// A stand-in for openjd-lsp, used ONLY to check the editor test harnesses
// themselves (e2e.sh, editors/nvim/test/run.sh) while the real server is not
// built. It knows nothing about OpenJD: it reports three errors for any file
// under a `broken/` folder and none elsewhere, answers every hover with a fixed
// "wrapped by" text and every completion with a fixed list.
//
//   OPENJD_LSP_BIN=editors/vscode/test/fake-openjd-lsp.js OPENJD_E2E_WRAP=1 editors/vscode/test/e2e.sh
'use strict';

if (process.argv.includes('--version')) {
  process.stdout.write('fake-openjd-lsp 0.0.0\n');
  process.exit(0);
}

let buffer = Buffer.alloc(0);
const docs = new Map();

function send(msg) {
  const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...msg }), 'utf8');
  process.stdout.write(`Content-Length: ${body.length}\r\n\r\n`);
  process.stdout.write(body);
}

function publish(uri) {
  const text = docs.get(uri);
  const diagnostics = [];
  if (text !== undefined && /\/broken\//.test(uri)) {
    const lines = text.split('\n');
    for (const word of ['INTEGER', 'Param.Frame', 'timout']) {
      const line = lines.findIndex((l) => l.includes(word));
      if (line >= 0) {
        const col = lines[line].indexOf(word);
        diagnostics.push({
          range: { start: { line, character: col }, end: { line, character: col + word.length } },
          severity: 1,
          source: 'fake-openjd-lsp',
          message: `fake error at ${word}`,
        });
      }
    }
  }
  send({ method: 'textDocument/publishDiagnostics', params: { uri, diagnostics } });
}

function handle(msg) {
  const { id, method, params } = msg;
  switch (method) {
    case 'initialize':
      send({
        id,
        result: {
          capabilities: {
            textDocumentSync: 1,
            hoverProvider: true,
            completionProvider: { triggerCharacters: ['{', '.'] },
          },
          serverInfo: { name: 'fake-openjd-lsp', version: '0.0.0' },
        },
      });
      return;
    case 'textDocument/didOpen':
      docs.set(params.textDocument.uri, params.textDocument.text);
      publish(params.textDocument.uri);
      return;
    case 'textDocument/didChange':
      docs.set(params.textDocument.uri, params.contentChanges[params.contentChanges.length - 1].text);
      publish(params.textDocument.uri);
      return;
    case 'textDocument/didClose':
      docs.delete(params.textDocument.uri);
      send({ method: 'textDocument/publishDiagnostics', params: { uri: params.textDocument.uri, diagnostics: [] } });
      return;
    case 'textDocument/hover':
      send({
        id,
        result: { contents: { kind: 'markdown', value: 'Wrapped by environment **DockerContainer** (fake hover)' } },
      });
      return;
    case 'textDocument/completion':
      send({
        id,
        result: ['WrappedAction.Command', 'WrappedAction.Args', 'WrappedStep.Name', 'Param.Image'].map((label) => ({
          label,
          kind: 6,
        })),
      });
      return;
    case 'shutdown':
      send({ id, result: null });
      return;
    case 'exit':
      process.exit(0);
      return;
    default:
      if (id !== undefined && method !== undefined) {
        send({ id, error: { code: -32601, message: `fake-openjd-lsp: ${method} is not handled` } });
      }
  }
}

process.stdin.on('data', (chunk) => {
  buffer = Buffer.concat([buffer, chunk]);
  for (;;) {
    const headerEnd = buffer.indexOf('\r\n\r\n');
    if (headerEnd < 0) {
      return;
    }
    const m = /Content-Length: *(\d+)/i.exec(buffer.subarray(0, headerEnd).toString('ascii'));
    const length = m ? Number(m[1]) : 0;
    if (buffer.length < headerEnd + 4 + length) {
      return;
    }
    const body = buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8');
    buffer = buffer.subarray(headerEnd + 4 + length);
    handle(JSON.parse(body));
  }
});
process.stdin.on('end', () => process.exit(0));
