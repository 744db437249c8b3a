// Content-based detection of Open Job Description documents.
//
// This module is pure (no `vscode` import) so that it can be unit tested with
// plain node. The extension uses it to decide which YAML/JSON documents get the
// `openjd-yaml` / `openjd-json` language id, and so which ones the language
// server sees.

/** What kind of OpenJD document a text is, if any. */
export type OpenJDKind = 'job' | 'environment' | 'config';

/** The languages a document is detected from. */
export type SourceLanguage = 'yaml' | 'json';

/** Names of the workspace configuration file of the language server. */
export const CONFIG_FILE_NAMES: readonly string[] = ['openjd-lsp.yaml', '.openjd-lsp.yaml'];

/**
 * Values of `specificationVersion` that mark an OpenJD template. Any
 * `jobtemplate-YYYY-MM` / `environment-YYYY-MM` is accepted, so that a template
 * written for a revision the server does not know yet is still handed to the
 * server, which then says that the revision is unsupported.
 */
const VERSION_RE = /^(jobtemplate|environment)-\d{4}-\d{2}$/;

/** How much of a document is looked at. Templates state their version near the top. */
export const DEFAULT_MAX_CHARS = 256 * 1024;

/** Classifies a specificationVersion value. */
export function kindOfVersion(value: string): OpenJDKind | undefined {
  const m = VERSION_RE.exec(value.trim());
  if (!m) {
    return undefined;
  }
  return m[1] === 'jobtemplate' ? 'job' : 'environment';
}

/** The last path segment of a file system path or URI path (either separator). */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] ?? '';
}

/** True when the path names the server's workspace configuration file. */
export function isConfigFile(path: string): boolean {
  return CONFIG_FILE_NAMES.includes(baseName(path));
}

// A top-level YAML mapping key at column 0, possibly quoted, then the value.
const YAML_TOP_KEY_RE = /^(?:specificationVersion|"specificationVersion"|'specificationVersion')[ \t]*:(?:[ \t]+(.*))?$/;

/** Strips quotes and a trailing comment from a one-line YAML scalar. */
function yamlScalar(raw: string): string {
  let s = raw.trim();
  if (s.startsWith('"')) {
    const end = s.indexOf('"', 1);
    return end > 0 ? s.slice(1, end) : s.slice(1);
  }
  if (s.startsWith("'")) {
    const end = s.indexOf("'", 1);
    return end > 0 ? s.slice(1, end) : s.slice(1);
  }
  const hash = s.search(/[ \t]#/);
  if (hash >= 0) {
    s = s.slice(0, hash);
  }
  return s.trim();
}

/**
 * Finds a top-level `specificationVersion` in YAML text: a line that starts at
 * column 0 (so it is a key of the root mapping, not of a nested one and not
 * inside a block scalar), in the first document of the stream.
 */
export function detectYaml(text: string, maxChars = DEFAULT_MAX_CHARS): OpenJDKind | undefined {
  const head = text.length > maxChars ? text.slice(0, maxChars) : text;
  const lines = head.split(/\r\n|\r|\n/);
  let sawContent = false;
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i] ?? '';
    if (i === 0 && line.charCodeAt(0) === 0xfeff) {
      line = line.slice(1);
    }
    if (line.startsWith('---')) {
      if (sawContent) {
        break; // a second document
      }
      continue;
    }
    if (line.startsWith('...')) {
      break;
    }
    if (line.trim() === '' || line.trimStart().startsWith('#')) {
      continue;
    }
    if (line.startsWith('%')) {
      continue; // a directive
    }
    sawContent = true;
    const m = YAML_TOP_KEY_RE.exec(line);
    if (m) {
      return kindOfVersion(yamlScalar(m[1] ?? ''));
    }
    // Flow-style root mapping on one line: {specificationVersion: ..., ...}
    if (line.startsWith('{')) {
      const fm = /[{,][ \t]*["']?specificationVersion["']?[ \t]*:[ \t]*["']?([A-Za-z0-9-]+)/.exec(line);
      if (fm) {
        return kindOfVersion(fm[1] ?? '');
      }
    }
  }
  return undefined;
}

/**
 * Finds a `"specificationVersion"` member of the root object of JSON text. A
 * small tolerant scanner: it tracks nesting and strings, so a half-typed
 * document still works and a nested member of the same name does not count.
 */
export function detectJson(text: string, maxChars = DEFAULT_MAX_CHARS): OpenJDKind | undefined {
  const s = text.length > maxChars ? text.slice(0, maxChars) : text;
  let depth = 0;
  let i = 0;
  // Whether the last string read at depth 1 was in key position.
  let expectKey = false;
  let pendingKey: string | undefined;
  while (i < s.length) {
    const c = s[i];
    if (c === '"') {
      const start = i + 1;
      let j = start;
      let value = '';
      while (j < s.length && s[j] !== '"') {
        if (s[j] === '\\' && j + 1 < s.length) {
          const e = s[j + 1];
          value += e === 'n' ? '\n' : e === 't' ? '\t' : e;
          j += 2;
          continue;
        }
        value += s[j];
        j++;
      }
      i = j + 1;
      if (depth === 1) {
        if (expectKey) {
          pendingKey = value;
          expectKey = false;
        } else if (pendingKey === 'specificationVersion') {
          return kindOfVersion(value);
        }
      }
      continue;
    }
    if (c === '{' || c === '[') {
      if (depth === 1) {
        pendingKey = undefined;
      }
      depth++;
      if (depth === 1) {
        expectKey = c === '{';
        if (c === '[') {
          return undefined; // root is not an object
        }
      }
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth <= 0) {
        return undefined;
      }
    } else if (c === ',' && depth === 1) {
      expectKey = true;
      pendingKey = undefined;
    } else if (c === '/' && s[i + 1] === '/') {
      const nl = s.indexOf('\n', i);
      i = nl < 0 ? s.length : nl;
      continue;
    } else if (c === '/' && s[i + 1] === '*') {
      const end = s.indexOf('*/', i + 2);
      i = end < 0 ? s.length : end + 2;
      continue;
    } else if (depth === 0 && c !== undefined && !/\s/.test(c)) {
      return undefined; // root is not an object
    }
    i++;
  }
  return undefined;
}

/**
 * Detects an OpenJD document from its path and text.
 *
 * @param path file system path or URI path (only its last segment is used)
 * @param language the language the editor currently assigns to the document
 */
export function detectOpenJD(path: string, text: string, language: SourceLanguage): OpenJDKind | undefined {
  if (language === 'yaml' && isConfigFile(path)) {
    return 'config';
  }
  return language === 'json' ? detectJson(text) : detectYaml(text);
}

/** The language id that the extension gives a document of the source language. */
export function openjdLanguageFor(language: SourceLanguage): 'openjd-yaml' | 'openjd-json' {
  return language === 'json' ? 'openjd-json' : 'openjd-yaml';
}

/** The source language of an editor language id that detection looks at, if any. */
export function sourceLanguageOf(languageId: string): SourceLanguage | undefined {
  switch (languageId) {
    case 'yaml':
      return 'yaml';
    case 'json':
    case 'jsonc':
      return 'json';
    default:
      return undefined;
  }
}

/**
 * The OpenJD language id a document should be switched to, or undefined to
 * leave it alone. `languageId` is the document's current language id.
 */
export function targetLanguage(languageId: string, path: string, text: string): 'openjd-yaml' | 'openjd-json' | undefined {
  const source = sourceLanguageOf(languageId);
  if (source === undefined) {
    return undefined;
  }
  return detectOpenJD(path, text, source) === undefined ? undefined : openjdLanguageFor(source);
}
