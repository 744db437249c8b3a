// The session preview's plain parts, without VS Code (unit-tested under node):
// the command names, the answer of the server's `openjd.previewSession`, and
// the virtual document's URI parts.
//
// The server's "Preview session" code lenses run `openjd.previewSession`
// (a server command, advertised in `executeCommandProvider`) with the job's
// URI and a step name or null. vscode-languageclient sends it to the server as
// `workspace/executeCommand`; the extension's middleware takes the answer,
// `{title, text}`, and shows the text in a read-only virtual document.

/** The server's command: arguments `[jobUri, step | null]`, answer `{title, text}`. */
export const SERVER_COMMAND = 'openjd.previewSession';
/** The command palette's "OpenJD: Preview Session" (the active job template). */
export const SHOW_COMMAND = 'openjd.showSessionPreview';
/** The scheme of the read-only preview documents. */
export const SCHEME = 'openjd-preview';

export interface Preview {
  title: string;
  text: string;
}

/** The server's answer, or undefined when it is not one. */
export function parsePreview(answer: unknown): Preview | undefined {
  if (typeof answer !== 'object' || answer === null) {
    return undefined;
  }
  const { title, text } = answer as { title?: unknown; text?: unknown };
  if (typeof title !== 'string' || typeof text !== 'string') {
    return undefined;
  }
  return { title, text };
}

/** The arguments the server command takes, from what a lens or caller passed. */
export function previewArguments(args: readonly unknown[]): { job: string; step: string | null } | undefined {
  const [job, step] = args;
  if (typeof job !== 'string' || (step !== undefined && step !== null && typeof step !== 'string')) {
    return undefined;
  }
  return { job, step: typeof step === 'string' ? step : null };
}

/**
 * The parts of the preview document's URI: the path ends in the server's
 * title (what the tab shows; `/` in it would make folders, so it becomes `∕`)
 * and `.txt` is not added, the query tells jobs and steps apart, so one
 * document per job and step is reused and refreshed.
 */
export function previewUriParts(preview: Preview, job: string, step: string | null): { path: string; query: string } {
  return {
    path: `/${preview.title.replace(/\//g, '∕')}`,
    query: new URLSearchParams({ job, step: step ?? '' }).toString(),
  };
}
