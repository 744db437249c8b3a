// VS Code client for the OpenJD language server (openjd-lsp).
//
// How documents reach the server: the server is attached to the languages
// `openjd-yaml` and `openjd-json` only. A YAML/JSON document gets one of those
// language ids when it is opened (or edited) and its content is an OpenJD
// template (a top-level `specificationVersion: jobtemplate-…|environment-…`), or
// when it is the workspace configuration file `openjd-lsp.yaml`. Every other
// YAML/JSON document keeps its language and never reaches the server. See
// README.md for why this design was picked.

import * as fs from 'node:fs';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  type LanguageClientOptions,
  RevealOutputChannelOn,
  type ServerOptions,
  State,
} from 'vscode-languageclient/node';

import { bundledPath, type DiscoveryResult, findServer } from './serverDiscovery';
import { targetLanguage } from './detect';
import { PreviewProvider, showPreview } from './preview';
import { parsePreview, previewArguments, SCHEME, SERVER_COMMAND } from './previewText';
import { serverSettings } from './settings';

export const LANGUAGES = ['openjd-yaml', 'openjd-json'] as const;
const CLIENT_ID = 'openjd';
const CLIENT_NAME = 'OpenJD Language Server';
/** A close followed by an open of the same URI within this time is a language change. */
const LANGUAGE_CHANGE_WINDOW_MS = 2000;
const REDETECT_DELAY_MS = 300;

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
let status: vscode.LanguageStatusItem;
let starting: Promise<void> | undefined;
let missingServerReported = false;
let previews: PreviewProvider;

/** Documents the user moved back from an OpenJD language: never switched again this session. */
const optedOut = new Set<string>();
/** OpenJD documents closed recently (URI → time), to tell a language change from a close. */
const recentlyClosed = new Map<string, number>();
const redetectTimers = new Map<string, ReturnType<typeof setTimeout>>();

function isOpenJD(doc: vscode.TextDocument): boolean {
  return (LANGUAGES as readonly string[]).includes(doc.languageId);
}

function detectionEnabled(): boolean {
  return vscode.workspace.getConfiguration('openjd').get<boolean>('detectTemplatesByContent', true);
}

function isExecutable(p: string): boolean {
  try {
    if (!fs.statSync(p).isFile()) {
      return false;
    }
    if (process.platform !== 'win32') {
      fs.accessSync(p, fs.constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}

/** A bundled server that lost its executable bit while being unpacked gets it back. */
function repairBundledMode(extensionPath: string): void {
  if (process.platform === 'win32') {
    return;
  }
  const p = bundledPath(extensionPath, process.platform);
  try {
    if (fs.statSync(p).isFile() && !isExecutable(p)) {
      fs.chmodSync(p, 0o755);
    }
  } catch {
    // not bundled, or not ours to change
  }
}

function discover(context: vscode.ExtensionContext): DiscoveryResult {
  repairBundledMode(context.extensionPath);
  const folder = vscode.workspace.workspaceFolders?.[0];
  return findServer({
    configuredPath: vscode.workspace.getConfiguration('openjd').get<string>('server.path', ''),
    extensionPath: context.extensionPath,
    workspaceFolder: folder?.uri.scheme === 'file' ? folder.uri.fsPath : undefined,
    platform: process.platform,
    env: process.env,
    isExecutable,
  });
}

function currentSettings() {
  const cfg = vscode.workspace.getConfiguration('openjd');
  return serverSettings((key) => cfg.get(key));
}

function setStatus(text: string, detail: string, severity: vscode.LanguageStatusSeverity): void {
  status.text = text;
  status.detail = detail;
  status.severity = severity;
}

async function startClient(context: vscode.ExtensionContext): Promise<void> {
  const found = discover(context);
  if (!found.ok) {
    output.appendLine(`[client] ${found.message}`);
    output.appendLine(`[client] looked at: ${found.tried.join(', ') || '(nothing)'}`);
    setStatus('openjd-lsp not found', found.message, vscode.LanguageStatusSeverity.Error);
    if (!missingServerReported) {
      missingServerReported = true;
      const choice = await vscode.window.showErrorMessage(found.message, 'Open Settings', 'Show Output');
      if (choice === 'Open Settings') {
        await vscode.commands.executeCommand('workbench.action.openSettings', 'openjd.server.path');
      } else if (choice === 'Show Output') {
        output.show(true);
      }
    }
    return;
  }
  missingServerReported = false;
  output.appendLine(`[client] starting ${found.path} (found via ${found.source})`);

  const serverOptions: ServerOptions = { command: found.path, args: [], options: { env: process.env } };
  const clientOptions: LanguageClientOptions = {
    documentSelector: LANGUAGES.flatMap((language) => [
      { scheme: 'file', language },
      { scheme: 'untitled', language },
    ]),
    initializationOptions: currentSettings(),
    // Settings go to the server in exactly the shape it knows (see settings.ts),
    // both when it asks (workspace/configuration) and when they change
    // (onDidChangeConfiguration below): client-only settings such as
    // openjd.server.path are not sent.
    //
    // No file watcher here: the server registers its own for the files it
    // indexes (workspace/didChangeWatchedFiles, dynamic registration), and a
    // second one from the client would send every change twice.
    middleware: {
      // The server's "Preview session" lenses run its command
      // `openjd.previewSession` (vscode-languageclient registers it and
      // sends workspace/executeCommand); its answer is shown here.
      executeCommand: async (command, args, next) => {
        if (command !== SERVER_COMMAND) {
          return next(command, args);
        }
        return previewSession(args, next);
      },
      workspace: {
        configuration: async (params, token, next) => {
          const result = await next(params, token);
          if (!Array.isArray(result)) {
            return result;
          }
          return params.items.map((item, i) => (item.section === 'openjd' ? currentSettings() : result[i]));
        },
      },
    },
    outputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
  };
  const c = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
  c.onDidChangeState((e) => {
    if (e.newState === State.Running) {
      const info = c.initializeResult?.serverInfo;
      const name = info ? `${info.name}${info.version ? ' ' + info.version : ''}` : 'openjd-lsp';
      setStatus(name, found.path, vscode.LanguageStatusSeverity.Information);
    } else if (e.newState === State.Stopped) {
      setStatus('openjd-lsp stopped', found.path, vscode.LanguageStatusSeverity.Warning);
    }
  });
  client = c;
  try {
    await c.start();
  } catch (err) {
    if (client === c) {
      client = undefined;
    }
    output.appendLine(`[client] the server failed to start: ${String(err)}`);
    setStatus('openjd-lsp failed', String(err), vscode.LanguageStatusSeverity.Error);
    void vscode.window.showErrorMessage(`OpenJD: the language server ${found.path} failed to start. See the output for details.`, 'Show Output')
      .then((choice) => {
        if (choice) {
          output.show(true);
        }
      });
  }
}

/** Runs the server's preview command and shows its answer read-only. */
async function previewSession(
  args: unknown[],
  next: (command: string, args: unknown[]) => unknown,
): Promise<unknown> {
  const target = previewArguments(args);
  if (!target) {
    void vscode.window.showErrorMessage('OpenJD: the session preview needs a job template.');
    return undefined;
  }
  let answer: unknown;
  try {
    answer = await next(SERVER_COMMAND, [target.job, target.step]);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    output.appendLine(`[client] session preview of ${target.job}: ${message}`);
    void vscode.window.showErrorMessage(`OpenJD: no session preview: ${message}`);
    return undefined;
  }
  const preview = parsePreview(answer);
  if (!preview) {
    output.appendLine(`[client] session preview: unexpected answer ${JSON.stringify(answer)}`);
    return answer;
  }
  await showPreview(previews, preview, target.job, target.step);
  return answer;
}

/** "OpenJD: Preview Session" from the command palette: the active job template's. */
async function previewActive(context: vscode.ExtensionContext): Promise<void> {
  const doc = vscode.window.activeTextEditor?.document;
  if (!doc || !isOpenJD(doc)) {
    void vscode.window.showInformationMessage('OpenJD: open a job template to preview its session.');
    return;
  }
  await ensureStarted(context);
  if (!client?.isRunning()) {
    void vscode.window.showErrorMessage('OpenJD: the language server is not running.');
    return;
  }
  // Registered by the language client from the server's capabilities; the
  // middleware above shows the answer.
  await vscode.commands.executeCommand(SERVER_COMMAND, doc.uri.toString(), null);
}

/** Starts the client once, when the first OpenJD document shows up. */
function ensureStarted(context: vscode.ExtensionContext): Promise<void> {
  if (client || starting) {
    return starting ?? Promise.resolve();
  }
  starting = startClient(context).finally(() => {
    starting = undefined;
  });
  return starting;
}

async function stopClient(): Promise<void> {
  if (starting) {
    await starting;
  }
  const c = client;
  client = undefined;
  if (c) {
    try {
      await c.stop();
    } catch (err) {
      output.appendLine(`[client] stopping the server: ${String(err)}`);
    }
    // The client owns the output channel it was given; keep ours alive.
  }
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  output.appendLine('[client] restarting the server');
  await stopClient();
  missingServerReported = false;
  await ensureStarted(context);
}

/** Gives a YAML/JSON document an OpenJD language id when its content says it is a template. */
function maybeSwitchLanguage(doc: vscode.TextDocument): void {
  if (!detectionEnabled() || optedOut.has(doc.uri.toString())) {
    return;
  }
  const target = targetLanguage(doc.languageId, doc.uri.path, doc.getText());
  if (target !== undefined) {
    void vscode.languages.setTextDocumentLanguage(doc, target).then(undefined, (err: unknown) => {
      output.appendLine(`[client] could not set the language of ${doc.uri.toString()}: ${String(err)}`);
    });
  }
}

function onDidOpen(context: vscode.ExtensionContext, doc: vscode.TextDocument): void {
  const key = doc.uri.toString();
  if (isOpenJD(doc)) {
    void ensureStarted(context);
    return;
  }
  const closedAt = recentlyClosed.get(key);
  recentlyClosed.delete(key);
  if (closedAt !== undefined && Date.now() - closedAt < LANGUAGE_CHANGE_WINDOW_MS) {
    // The user changed the language of an OpenJD document to something else:
    // respect that for the rest of the session.
    optedOut.add(key);
    return;
  }
  maybeSwitchLanguage(doc);
}

function onDidChange(e: vscode.TextDocumentChangeEvent): void {
  const doc = e.document;
  if (isOpenJD(doc) || e.contentChanges.length === 0) {
    return;
  }
  if (doc.languageId !== 'yaml' && doc.languageId !== 'json' && doc.languageId !== 'jsonc') {
    return;
  }
  const key = doc.uri.toString();
  const old = redetectTimers.get(key);
  if (old !== undefined) {
    clearTimeout(old);
  }
  redetectTimers.set(
    key,
    setTimeout(() => {
      redetectTimers.delete(key);
      if (!doc.isClosed) {
        maybeSwitchLanguage(doc);
      }
    }, REDETECT_DELAY_MS),
  );
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel(CLIENT_NAME);
  status = vscode.languages.createLanguageStatusItem('openjd.server', [...LANGUAGES]);
  status.name = CLIENT_NAME;
  status.command = { title: 'Show Output', command: 'openjd.showOutput' };
  setStatus('openjd-lsp', 'not started', vscode.LanguageStatusSeverity.Information);
  context.subscriptions.push(output, status);

  previews = new PreviewProvider();
  context.subscriptions.push(
    previews,
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, previews),
    vscode.commands.registerCommand('openjd.showSessionPreview', () => previewActive(context)),
    vscode.commands.registerCommand('openjd.restartServer', () => restart(context)),
    vscode.commands.registerCommand('openjd.showOutput', () => output.show(true)),
    vscode.workspace.onDidOpenTextDocument((doc) => onDidOpen(context, doc)),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      if (isOpenJD(doc)) {
        recentlyClosed.set(doc.uri.toString(), Date.now());
      }
    }),
    vscode.workspace.onDidChangeTextDocument(onDidChange),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('openjd.server.path')) {
        void restart(context);
      } else if (e.affectsConfiguration('openjd') && client?.isRunning()) {
        void client
          .sendNotification(DidChangeConfigurationNotification.type, { settings: { openjd: currentSettings() } })
          .catch((err: unknown) => output.appendLine(`[client] sending settings: ${String(err)}`));
      }
      if (e.affectsConfiguration('openjd.detectTemplatesByContent') && detectionEnabled()) {
        vscode.workspace.textDocuments.forEach(maybeSwitchLanguage);
      }
    }),
  );

  for (const doc of vscode.workspace.textDocuments) {
    onDidOpen(context, doc);
  }
}

export async function deactivate(): Promise<void> {
  for (const t of redetectTimers.values()) {
    clearTimeout(t);
  }
  redetectTimers.clear();
  await stopClient();
}
