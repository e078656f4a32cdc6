import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseManifests, readSources } from '../../../pkg/cli/index.ts';
import { captureIo } from './cli-io.ts';

const kinds = (documents: readonly { object: Readonly<Record<string, unknown>> }[]) =>
  documents.map((d) => d.object.kind);

describe('reading manifests', () => {
  it('reads every document of a multi-document file and skips empty ones', () => {
    const got = parseManifests('kind: Ingress\n---\n---\nkind: Service\n', 'app.yaml');
    assert.ok(got.ok);
    assert.deepEqual(kinds(got.documents), ['Ingress', 'Service']);
    assert.equal(got.documents[1]?.source, 'app.yaml (document 3)');
  });

  it('unrolls List kinds into their items', () => {
    const got = parseManifests(
      'apiVersion: v1\nkind: List\nitems:\n- kind: Service\n- kind: Node\n',
      'list.yaml',
    );
    assert.ok(got.ok);
    assert.deepEqual(kinds(got.documents), ['Service', 'Node']);
  });

  it('reads JSON', () => {
    const got = parseManifests('{"kind": "Ingress", "metadata": {"name": "x"}}', 'x.json');
    assert.ok(got.ok);
    assert.deepEqual(kinds(got.documents), ['Ingress']);
  });

  it('names the file, line and column of a YAML syntax error', () => {
    const got = parseManifests('kind: Ingress\nmetadata:\n  name: [unclosed\n', 'bad.yaml');
    assert.equal(got.ok, false);
    assert.match(got.error, /^bad\.yaml:\d+:\d+: YAML syntax error: /);
  });

  it('notes a document that is not an object instead of failing', () => {
    const got = parseManifests('- just\n- a list\n', 'odd.yaml');
    assert.ok(got.ok);
    assert.deepEqual(got.documents, []);
    assert.match(got.notes[0] ?? '', /odd\.yaml: not a Kubernetes object/);
  });
});

describe('-f sources', () => {
  it('reads a directory recursively, *.yaml/*.yml/*.json only, in name order', async () => {
    const got = await readSources(['fixtures/tree'], captureIo());
    assert.ok(got.ok);
    assert.deepEqual(
      got.documents.map((d) => d.source),
      [
        'fixtures/tree/a.yaml',
        'fixtures/tree/nested/b.json item 1',
        'fixtures/tree/nested/b.json item 2',
      ],
    );
  });

  it('reads - from stdin', async () => {
    const got = await readSources(['-'], captureIo({ stdin: 'kind: Service\n' }));
    assert.ok(got.ok);
    assert.deepEqual(got.documents, [{ source: '<stdin>', object: { kind: 'Service' } }]);
  });

  it('reports a path that does not exist as a usage error', async () => {
    const got = await readSources(['no/such/dir'], captureIo());
    assert.deepEqual(got, {
      ok: false,
      error: '-f no/such/dir: no such file or directory',
      usage: true,
    });
  });

  it('reports a YAML error with the path as given and the line', async () => {
    // GIVEN a file whose flow sequence on line 5 is never closed (the parser stops on line 6)
    const dir = await mkdtemp(join(tmpdir(), 'albatross-yaml-'));
    await writeFile(
      join(dir, 'broken.yaml'),
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: broken\n  labels: [unclosed\nspec: {}\n',
    );
    // WHEN it is read
    const got = await readSources(['broken.yaml'], captureIo({ cwd: dir }));
    // THEN the error names the file and the line
    assert.equal(got.ok, false);
    assert.match(got.error, /^broken\.yaml:6:1: YAML syntax error: Flow sequence/);
  });
});
