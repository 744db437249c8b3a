// The session preview's plain parts: the server's answer, the lens's
// arguments and the virtual document's URI.

import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';

import { parsePreview, previewArguments, previewUriParts, SCHEME, SERVER_COMMAND } from '../../src/previewText';

const JOB = 'file:///ws/jobs/render/template.yaml';

describe('session preview', () => {
  it('uses the command the server advertises and lenses run', () => {
    // src/ide/preview.rs EXECUTE_COMMAND; tests/preview_protocol.rs checks the server side.
    assert.equal(SERVER_COMMAND, 'openjd.previewSession');
    assert.equal(SCHEME, 'openjd-preview');
  });

  it('reads the server answer {title, text} and nothing else', () => {
    assert.deepEqual(parsePreview({ title: 'template.yaml — session preview', text: 'Session preview of …\n' }), {
      title: 'template.yaml — session preview',
      text: 'Session preview of …\n',
    });
    for (const bad of [null, undefined, 'text', 42, {}, { title: 'x' }, { text: 'y' }, { title: 1, text: 'y' }]) {
      assert.equal(parsePreview(bad), undefined, JSON.stringify(bad));
    }
  });

  it('takes a lens’s arguments: the job URI and a step name or null', () => {
    assert.deepEqual(previewArguments([JOB, null]), { job: JOB, step: null });
    assert.deepEqual(previewArguments([JOB]), { job: JOB, step: null });
    assert.deepEqual(previewArguments([JOB, 'Ré😀nder']), { job: JOB, step: 'Ré😀nder' });
    assert.equal(previewArguments([]), undefined);
    assert.equal(previewArguments([42]), undefined);
    assert.equal(previewArguments([JOB, 5]), undefined);
  });

  it('names one document per job and step, titled as the server says', () => {
    const preview = { title: 'template.yaml — step A/B — session preview', text: '' };
    const a = previewUriParts(preview, JOB, 'A/B');
    assert.equal(a.path, '/template.yaml — step A∕B — session preview');
    const whole = previewUriParts({ title: 'template.yaml — session preview', text: '' }, JOB, null);
    assert.notEqual(a.query, whole.query);
    const other = previewUriParts(preview, 'file:///ws/jobs/other/template.yaml', 'A/B');
    assert.equal(other.path, a.path);
    assert.notEqual(other.query, a.query);
    assert.equal(new URLSearchParams(a.query).get('job'), JOB);
    assert.equal(new URLSearchParams(a.query).get('step'), 'A/B');
  });
});
