// "Preview session": the server's session preview (what runs, in order, with
// the exact command of every action) in a read-only virtual document. See
// previewText.ts for how the lens, the server command and this fit together.

import * as vscode from 'vscode';

import { type Preview, previewUriParts, SCHEME } from './previewText';

/** Holds the text of every preview shown; read-only by construction. */
export class PreviewProvider implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  set(uri: vscode.Uri, text: string): void {
    this.texts.set(uri.toString(), text);
    this.changed.fire(uri);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** Shows (or refreshes) the preview of `job` (and `step`) beside the editor. */
export async function showPreview(
  provider: PreviewProvider,
  preview: Preview,
  job: string,
  step: string | null,
): Promise<vscode.TextEditor> {
  const uri = vscode.Uri.from({ scheme: SCHEME, ...previewUriParts(preview, job, step) });
  provider.set(uri, preview.text);
  const doc = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: false });
}
