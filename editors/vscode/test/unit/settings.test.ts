import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';

import { DEFAULTS, normalizeQueues, serverSettings } from '../../src/settings';

describe('serverSettings', () => {
  it('gives the documented defaults when nothing is set', () => {
    assert.deepEqual(serverSettings(() => undefined), DEFAULTS);
    assert.deepEqual(DEFAULTS, {
      diagnostics: { debounceMs: 'auto' },
      log: { level: 'info' },
      hints: { wrappedActions: true },
      files: { maxSizeMiB: 16 },
      queues: [],
    });
  });
  it('passes set values through', () => {
    const values: Record<string, unknown> = {
      'diagnostics.debounceMs': 200,
      'log.level': 'debug',
      'hints.wrappedActions': false,
      'files.maxSizeMiB': 64,
      queues: [{ name: 'Q', environments: ['envs/conda.yaml'], jobs: ['jobs/**/template.yaml'] }],
    };
    assert.deepEqual(serverSettings((k) => values[k]), {
      diagnostics: { debounceMs: 200 },
      log: { level: 'debug' },
      hints: { wrappedActions: false },
      files: { maxSizeMiB: 64 },
      queues: [{ name: 'Q', environments: ['envs/conda.yaml'], jobs: ['jobs/**/template.yaml'] }],
    });
  });
  it('passes a fixed debounce of 0 and the word auto through', () => {
    assert.equal(serverSettings((k) => (k === 'diagnostics.debounceMs' ? 0 : undefined)).diagnostics.debounceMs, 0);
    assert.equal(serverSettings((k) => (k === 'diagnostics.debounceMs' ? 'auto' : undefined)).diagnostics.debounceMs, 'auto');
  });
  it('falls back to defaults for bad values', () => {
    const values: Record<string, unknown> = {
      'diagnostics.debounceMs': -5,
      'log.level': 'loud',
      'hints.wrappedActions': 'yes',
      'files.maxSizeMiB': 0,
      queues: 'Q',
    };
    assert.deepEqual(serverSettings((k) => values[k]), DEFAULTS);
  });
});

describe('normalizeQueues', () => {
  it('drops malformed entries and non-string items', () => {
    assert.deepEqual(
      normalizeQueues([null, 3, { environments: [] }, { name: '' }, { name: 'A', environments: ['e.yaml', 7], jobs: 'x' }]),
      [{ name: 'A', environments: ['e.yaml'], jobs: [] }],
    );
  });
});
