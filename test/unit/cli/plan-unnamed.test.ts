/**
 * `albatross plan -f`: an object without `metadata.name` is an error naming its document
 * and the field, never a member called `default/`; the rest of the input is planned.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runPlan } from '../../../pkg/cli/index.ts';
import { defaultPlanCore } from '../../../pkg/cli/core.ts';
import { captureIo } from './cli-io.ts';

const ingress = (metadata: string, service: string) => `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: ${metadata}
spec:
  ingressClassName: alb
  rules:
    - http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: ${service}
                port:
                  number: 80
`;
const service = (metadata: string) => `
apiVersion: v1
kind: Service
metadata: ${metadata}
spec:
  type: NodePort
  ports:
    - port: 80
      nodePort: 30080
`;

interface PlanJson {
  readonly stacks: readonly { readonly group: string; readonly members: readonly string[] }[];
  readonly problems: readonly {
    readonly ingress: string;
    readonly field: string;
    readonly value: string;
    readonly message: string;
    readonly severity: string;
  }[];
}

async function plan(stdin: string) {
  const io = captureIo({ stdin });
  const code = await runPlan(['-f', '-', '--output', 'json'], io, defaultPlanCore);
  return { code, json: JSON.parse(io.out()) as PlanJson };
}

describe('plan: objects without a name', () => {
  it('GIVEN an Ingress without metadata.name beside a named one THEN an error names the document and metadata.name, no member is default/, the named one is planned', async () => {
    const { code, json } = await plan(
      [
        ingress('{namespace: shop}', 'web'),
        ingress('{name: good, namespace: shop}', 'web'),
        service('{name: web, namespace: shop}'),
      ].join('---\n'),
    );
    assert.equal(code, 1);
    assert.deepEqual(
      json.stacks.map((s) => [s.group, s.members]),
      [['shop/good', ['shop/good']]],
    );
    const unnamed = json.problems.filter((p) => p.field === 'metadata.name');
    assert.equal(unnamed.length, 1);
    assert.equal(unnamed[0]?.ingress, '<stdin> (document 1)');
    assert.equal(unnamed[0].severity, 'error');
    assert.match(unnamed[0].message, /this Ingress has no metadata\.name/);
    assert.ok(json.problems.every((p) => !p.ingress.endsWith('/')));
  });

  it('GIVEN a Service without metadata.name (an empty one) THEN an error names its document, and the Ingress using the name is still planned', async () => {
    const { code, json } = await plan(
      [ingress('{name: shop}', 'web'), service("{name: ''}"), service('{name: web}')].join('---\n'),
    );
    assert.equal(code, 1);
    assert.deepEqual(
      json.stacks.map((s) => s.members),
      [['default/shop']],
    );
    const unnamed = json.problems.filter((p) => p.field === 'metadata.name');
    assert.deepEqual(
      unnamed.map((p) => [p.ingress, p.value]),
      [['<stdin> (document 2)', '']],
    );
    assert.match(unnamed[0]?.message ?? '', /this Service has no metadata\.name/);
  });
});
