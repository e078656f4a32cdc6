import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { runConvert } from '../../../pkg/cli/index.ts';
import { captureIo } from './cli-io.ts';

describe('albatross convert', () => {
  it('prints beta Ingresses as networking.k8s.io/v1 and other documents unchanged', async () => {
    // GIVEN a file with an extensions/v1beta1 Ingress and its Service
    const io = captureIo();
    // WHEN converted
    const code = await runConvert(['-f', 'fixtures/legacy.yaml'], io);
    // THEN
    assert.equal(code, 0);
    const documents = parseAllDocuments(io.out()).map((d) => d.toJS() as Record<string, unknown>);
    assert.deepEqual(documents[0], {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'test-ingress' },
      spec: {
        rules: [
          {
            host: 'myservice.example.com',
            http: {
              paths: [
                {
                  path: '/somepath',
                  pathType: 'ImplementationSpecific',
                  backend: { service: { name: 'service1', port: { number: 9876 } } },
                },
              ],
            },
          },
        ],
      },
    });
    assert.equal(documents[1]?.kind, 'Service');
    assert.match(io.err(), /note: converted fixtures\/legacy\.yaml \(document 1\)/);
  });

  it('exits 2 without -f', async () => {
    const io = captureIo();
    assert.equal(await runConvert([], io), 2);
    assert.match(io.err(), /^albatross convert: -f is required/);
  });
});
