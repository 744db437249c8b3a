// The `openjd` settings that are handed to the language server.
//
// Pure module (no `vscode` import). The server reads the same shape from
// `initializationOptions` and from `workspace/configuration` (section `openjd`).

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Queue {
  name: string;
  /** Environment template paths, outermost first. */
  environments: string[];
  /** Glob patterns of the job templates submitted to this queue. */
  jobs: string[];
}

export interface ServerSettings {
  /** Milliseconds, or 'auto': scaled by the server from its recent checks. */
  diagnostics: { debounceMs: number | 'auto' };
  log: { level: LogLevel };
  hints: { wrappedActions: boolean };
  files: { maxSizeMiB: number };
  queues: Queue[];
}

export const DEFAULTS: ServerSettings = {
  diagnostics: { debounceMs: 'auto' },
  log: { level: 'info' },
  hints: { wrappedActions: true },
  files: { maxSizeMiB: 16 },
  queues: [],
};

/** Reads one setting below `openjd.`; returns undefined when it is not set. */
export type Getter = (key: string) => unknown;

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Keeps the well-formed queue entries of a raw `openjd.queues` value. */
export function normalizeQueues(raw: unknown): Queue[] {
  if (!Array.isArray(raw)) {
    return [];
  }
  const out: Queue[] = [];
  for (const q of raw) {
    if (q === null || typeof q !== 'object') {
      continue;
    }
    const o = q as Record<string, unknown>;
    if (typeof o.name !== 'string' || o.name.trim() === '') {
      continue;
    }
    out.push({ name: o.name, environments: stringList(o.environments), jobs: stringList(o.jobs) });
  }
  return out;
}

/** Builds the settings object sent to the server, falling back to defaults for bad values. */
export function serverSettings(get: Getter): ServerSettings {
  const debounce = get('diagnostics.debounceMs');
  const level = get('log.level');
  const wrapped = get('hints.wrappedActions');
  const maxSize = get('files.maxSizeMiB');
  return {
    diagnostics: {
      debounceMs:
        typeof debounce === 'number' && Number.isFinite(debounce) && debounce >= 0
          ? Math.round(debounce)
          : debounce === 'auto'
            ? 'auto'
            : DEFAULTS.diagnostics.debounceMs,
    },
    log: {
      level: typeof level === 'string' && (LOG_LEVELS as readonly string[]).includes(level)
        ? (level as LogLevel)
        : DEFAULTS.log.level,
    },
    hints: { wrappedActions: typeof wrapped === 'boolean' ? wrapped : DEFAULTS.hints.wrappedActions },
    files: {
      maxSizeMiB:
        typeof maxSize === 'number' && Number.isFinite(maxSize) && maxSize >= 1
          ? Math.round(maxSize)
          : DEFAULTS.files.maxSizeMiB,
    },
    queues: normalizeQueues(get('queues')),
  };
}
