import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runPlan } from '../../../pkg/cli/index.ts';
import { defaultPlanCore } from '../../../pkg/cli/core.ts';
import { captureIo } from './cli-io.ts';

const ingress = `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
spec:
  rules:
    - http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: web
                port:
                  number: 80
`;

const service = (metadata: string) => `
apiVersion: v1
kind: Service
metadata:
  name: web
${metadata}
spec:
  type: NodePort
  ports:
    - port: 80
      nodePort: 30080
`;

async function plan(stdin: string) {
  const io = captureIo({ stdin });
  const code = await runPlan(['-f', '-', '-o', 'json'], io, defaultPlanCore);
  return { code, out: io.out(), err: io.err() };
}

interface Report {
  stacks: { targetGroups: { port: number }[] }[];
  problems: { ingress: string; field: string; value: string; message: string }[];
}

describe('albatross plan reads manifests as the API server would', () => {
  it('GIVEN a Service whose metadata.annotations is present but empty (null) THEN it plans as a Service without annotations', async () => {
    const absent = await plan(`${ingress}---${service('')}`);
    const empty = await plan(`${ingress}---${service('  annotations:\n  labels:')}`);
    assert.equal(empty.code, 0, empty.err);
    assert.equal(empty.out, absent.out);
    const report = JSON.parse(empty.out) as Report;
    assert.equal(report.stacks[0]?.targetGroups[0]?.port, 30080);
  });

  it('GIVEN an annotation whose value is a YAML number THEN an error names the annotation and the value and says to quote it, and the object is left out', async () => {
    const { code, out } = await plan(
      `${ingress}---${service('  annotations:\n    alb.ingress.kubernetes.io/healthcheck-port: 8080')}`,
    );
    assert.equal(code, 1);
    const report = JSON.parse(out) as Report;
    const problem = report.problems.find((p) => p.ingress === 'Service default/web');
    assert.deepEqual(
      { field: problem?.field, value: problem?.value },
      {
        field: 'metadata.annotations["alb.ingress.kubernetes.io/healthcheck-port"]',
        value: '8080',
      },
    );
    assert.match(problem?.message ?? '', /must be a string \(quote it: "8080"\)/);
    assert.match(problem?.message ?? '', /left out of the plan/);
  });

  it('GIVEN an Ingress whose spec.rules is a string THEN an error names spec.rules and what is allowed, exit 1, nothing crashes', async () => {
    const { code, out } = await plan(
      ingress.replace(/ {2}rules:[\s\S]*$/, '  rules: everything\n'),
    );
    assert.equal(code, 1);
    const report = JSON.parse(out) as Report;
    assert.deepEqual(
      report.problems.map((p) => [p.ingress, p.field, p.value]),
      [['default/web', 'spec.rules', '"everything"']],
    );
    assert.match(report.problems[0]?.message ?? '', /is a string; must be a list/);
  });

  it('GIVEN a port number written as a string THEN an error names the field: the API server refuses it too', async () => {
    const { code, out } = await plan(
      `${ingress}---${service('').replace('nodePort: 30080', "nodePort: '30080'")}`,
    );
    assert.equal(code, 1);
    const report = JSON.parse(out) as Report;
    assert.ok(
      report.problems.some(
        (p) => p.ingress === 'Service default/web' && p.field === 'spec.ports[0].nodePort',
      ),
      JSON.stringify(report.problems),
    );
  });
});
