import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';

import {
  detectJson,
  detectOpenJD,
  detectYaml,
  isConfigFile,
  kindOfVersion,
  sourceLanguageOf,
  targetLanguage,
} from '../../src/detect';

describe('kindOfVersion', () => {
  it('knows the 2023-09 revisions', () => {
    assert.equal(kindOfVersion('jobtemplate-2023-09'), 'job');
    assert.equal(kindOfVersion('environment-2023-09'), 'environment');
  });
  it('accepts later revisions so the server can say they are unsupported', () => {
    assert.equal(kindOfVersion('jobtemplate-2026-02'), 'job');
  });
  it('rejects other values', () => {
    for (const v of ['', '2010-09-09', 'jobtemplate', 'jobtemplate-2023', 'template-2023-09', 'Jobtemplate-2023-09']) {
      assert.equal(kindOfVersion(v), undefined, v);
    }
  });
});

describe('detectYaml', () => {
  it('finds a job template', () => {
    assert.equal(detectYaml('specificationVersion: jobtemplate-2023-09\nname: Job\nsteps: []\n'), 'job');
  });
  it('finds an environment template', () => {
    assert.equal(detectYaml('specificationVersion: environment-2023-09\nenvironment:\n  name: E\n'), 'environment');
  });
  it('handles quotes, comments, CRLF, a BOM and a document marker', () => {
    assert.equal(detectYaml('specificationVersion: "jobtemplate-2023-09"\n'), 'job');
    assert.equal(detectYaml("specificationVersion: 'environment-2023-09'  # env\n"), 'environment');
    assert.equal(detectYaml('specificationVersion: jobtemplate-2023-09 # the version\n'), 'job');
    assert.equal(detectYaml('\ufeff# A job\r\n---\r\nname: J\r\nspecificationVersion: jobtemplate-2023-09\r\n'), 'job');
    assert.equal(detectYaml('"specificationVersion": jobtemplate-2023-09\n'), 'job');
    assert.equal(detectYaml('%YAML 1.2\n---\nspecificationVersion: jobtemplate-2023-09\n'), 'job');
  });
  it('finds the key after other top-level keys', () => {
    const text = 'name: Job\nparameterDefinitions:\n- name: Frame\n  type: INT\nspecificationVersion: jobtemplate-2023-09\n';
    assert.equal(detectYaml(text), 'job');
  });
  it('finds a flow-style root mapping', () => {
    assert.equal(detectYaml('{specificationVersion: jobtemplate-2023-09, name: J, steps: []}\n'), 'job');
    assert.equal(detectYaml('{"name": "J", "specificationVersion": "environment-2023-09"}\n'), 'environment');
  });
  it('ignores nested keys and block scalars', () => {
    assert.equal(detectYaml('template:\n  specificationVersion: jobtemplate-2023-09\n'), undefined);
    assert.equal(detectYaml('description: |\n  specificationVersion: jobtemplate-2023-09\n'), undefined);
  });
  it('ignores non-OpenJD YAML, like an AWS SAM template.yaml', () => {
    const sam = "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources: {}\n";
    assert.equal(detectYaml(sam), undefined);
    assert.equal(detectYaml('specificationVersion: 2\n'), undefined);
    assert.equal(detectYaml(''), undefined);
  });
  it('only looks at the first document of a stream', () => {
    assert.equal(detectYaml('a: 1\n---\nspecificationVersion: jobtemplate-2023-09\n'), undefined);
  });
  it('stops after maxChars', () => {
    const text = 'a: 1\n'.repeat(100) + 'specificationVersion: jobtemplate-2023-09\n';
    assert.equal(detectYaml(text, 100), undefined);
    assert.equal(detectYaml(text), 'job');
  });
});

describe('detectJson', () => {
  it('finds a pretty-printed job template', () => {
    const text = JSON.stringify({ specificationVersion: 'jobtemplate-2023-09', name: 'J', steps: [] }, null, 2);
    assert.equal(detectJson(text), 'job');
  });
  it('finds the key after nested objects', () => {
    const text = JSON.stringify({
      name: 'E',
      environment: { name: 'E', specificationVersion: 'nope', script: { actions: {} } },
      specificationVersion: 'environment-2023-09',
    });
    assert.equal(detectJson(text), 'environment');
  });
  it('ignores a nested specificationVersion', () => {
    assert.equal(detectJson('{"template": {"specificationVersion": "jobtemplate-2023-09"}}'), undefined);
    assert.equal(detectJson('[{"specificationVersion": "jobtemplate-2023-09"}]'), undefined);
  });
  it('does not mistake a value for a key', () => {
    assert.equal(detectJson('{"name": "specificationVersion", "x": "jobtemplate-2023-09"}'), undefined);
  });
  it('handles escapes, comments and half-typed text', () => {
    assert.equal(detectJson('{"desc": "a \\"quoted\\" {word}", "specificationVersion": "jobtemplate-2023-09"'), 'job');
    assert.equal(detectJson('// c\n{ /* x */ "specificationVersion": "jobtemplate-2023-09" }'), 'job');
    assert.equal(detectJson('{"specificationVersion": '), undefined);
  });
  it('ignores other JSON', () => {
    assert.equal(detectJson('{"compilerOptions": {"strict": true}}'), undefined);
    assert.equal(detectJson('"jobtemplate-2023-09"'), undefined);
    assert.equal(detectJson(''), undefined);
  });
});

describe('detectOpenJD and targetLanguage', () => {
  it('treats the workspace configuration file as OpenJD', () => {
    assert.ok(isConfigFile('/w/openjd-lsp.yaml'));
    assert.ok(isConfigFile('C:\\w\\.openjd-lsp.yaml'));
    assert.ok(!isConfigFile('/w/openjd-lsp.yaml.bak'));
    assert.equal(detectOpenJD('/w/openjd-lsp.yaml', 'queues: []\n', 'yaml'), 'config');
  });
  it('maps editor languages', () => {
    assert.equal(sourceLanguageOf('yaml'), 'yaml');
    assert.equal(sourceLanguageOf('json'), 'json');
    assert.equal(sourceLanguageOf('jsonc'), 'json');
    assert.equal(sourceLanguageOf('openjd-yaml'), undefined);
    assert.equal(sourceLanguageOf('python'), undefined);
  });
  it('picks the OpenJD language for templates only', () => {
    const job = 'specificationVersion: jobtemplate-2023-09\n';
    assert.equal(targetLanguage('yaml', '/b/template.yaml', job), 'openjd-yaml');
    assert.equal(targetLanguage('json', '/b/template.json', '{"specificationVersion":"environment-2023-09"}'), 'openjd-json');
    assert.equal(targetLanguage('yaml', '/sam/template.yaml', "AWSTemplateFormatVersion: '2010-09-09'\n"), undefined);
    assert.equal(targetLanguage('openjd-yaml', '/b/template.yaml', job), undefined);
    assert.equal(targetLanguage('plaintext', '/b/template.yaml', job), undefined);
    assert.equal(targetLanguage('yaml', '/w/openjd-lsp.yaml', ''), 'openjd-yaml');
  });
});
