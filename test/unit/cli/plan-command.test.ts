import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runPlan } from '../../../pkg/cli/index.ts';
import { captureIo } from './cli-io.ts';
import { fakeCore } from './fake-core.ts';

const ingressYaml = (name: string, annotations = '') => `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${name}
  annotations: {${annotations}}
spec:
  rules:
    - host: ${name}.example.com
      http:
        paths:
          - path: /app
            pathType: Prefix
            backend:
              service:
                name: ${name}-svc
                port:
                  number: 80
`;

async function plan(argv: readonly string[], stdin: string, tty = false) {
  const io = captureIo({ stdin, tty });
  const code = await runPlan(argv, io, fakeCore);
  return { code, out: io.out(), err: io.err() };
}

describe('albatross plan', () => {
  it('prints the JSON object with stacks, listeners with nested rules, target groups, changes and problems', async () => {
    // GIVEN one Ingress on stdin, stdout a pipe
    const { code, out } = await plan(['-f', '-'], ingressYaml('shop'));
    // THEN the output is one JSON object in the documented shape
    const parsed = JSON.parse(out) as {
      stacks: {
        group: string;
        members: string[];
        loadBalancer: { name: string } | null;
        listeners: {
          port: number;
          protocol: string;
          defaultActions: unknown[];
          rules: { priority: number; conditions: unknown[]; actions: unknown[] }[];
        }[];
        targetGroups: Record<string, unknown>[];
        securityGroups: unknown[];
      }[];
      changes: Record<string, unknown>[];
      problems: unknown[];
    };
    assert.equal(code, 0);
    assert.deepEqual(Object.keys(parsed), ['stacks', 'changes', 'problems']);
    const stack = parsed.stacks[0]!;
    assert.deepEqual(Object.keys(stack), [
      'group',
      'members',
      'loadBalancer',
      'listeners',
      'targetGroups',
      'securityGroups',
    ]);
    assert.equal(stack.group, 'default/shop');
    assert.deepEqual(stack.members, ['default/shop']);
    assert.deepEqual(stack.listeners[0]?.rules, [
      {
        priority: 1,
        conditions: [
          { Field: 'host-header', HostHeaderConfig: { Values: ['shop.example.com'] } },
          { Field: 'path-pattern', PathPatternConfig: { Values: ['/app'] } },
        ],
        actions: [
          {
            Type: 'forward',
            ForwardConfig: { TargetGroups: [{ TargetGroupId: 'default/shop:shop-svc:80' }] },
          },
        ],
        tags: {},
      },
    ]);
    // The fixed shape, plus everything else apply sends to AWS.
    assert.deepEqual(Object.keys(stack.targetGroups[0] ?? {}), [
      'id',
      'name',
      'targetType',
      'protocol',
      'protocolVersion',
      'ipAddressType',
      'port',
      'healthCheck',
      'attributes',
      'tags',
      'service',
      'targets',
    ]);
    assert.equal(stack.targetGroups[0]?.targets, null);
    assert.equal(stack.targetGroups[0].ipAddressType, 'ipv4');
    assert.deepEqual(parsed.changes[0], {
      stack: 'default/shop',
      op: 'create',
      kind: 'LoadBalancer',
      id: 'LoadBalancer',
      reason: 'new',
    });
    assert.deepEqual(parsed.problems, []);
  });

  it('prints a readable review on a terminal', async () => {
    const { code, out } = await plan(['-f', '-'], ingressYaml('shop'), true);
    assert.equal(code, 0);
    const lines = out.split('\n');
    for (const expected of [
      'Group default/shop',
      '  members: default/shop',
      '  Listener HTTP:80',
      '         → forward to default/shop-svc:80    (default/shop)',
      '    default → fixed-response 404',
      '    targets: unknown (no Nodes or EndpointSlices in the input)',
      'Changes (against an empty account):',
      '    + create LoadBalancer LoadBalancer (new)',
      'Plan: 2 to create, 0 to update, 0 to replace, 0 to delete; 0 errors, 0 warnings.',
    ]) {
      assert.ok(lines.includes(expected), `missing line ${JSON.stringify(expected)} in\n${out}`);
    }
    assert.ok(
      lines.some((l) => l.includes('1  host shop.example.com and path /app')),
      out,
    );
  });

  it('exits 1 when an Ingress has an error problem, and still plans the rest', async () => {
    const input = `${ingressYaml('good')}---${ingressYaml('bad', '"alb.ingress.kubernetes.io/scheme": "public"')}`;
    const { code, out } = await plan(['-f', '-', '-o', 'json'], input);
    const parsed = JSON.parse(out) as { stacks: { group: string }[]; problems: unknown[] };
    assert.equal(code, 1);
    assert.deepEqual(
      parsed.stacks.map((s) => s.group),
      ['default/bad', 'default/good'],
    );
    assert.deepEqual(parsed.problems, [
      {
        ingress: 'default/bad',
        field: 'alb.ingress.kubernetes.io/scheme',
        value: 'public',
        message: 'scheme must be internal or internet-facing',
        severity: 'error',
      },
    ]);
  });

  it('shows problems in the text review with the Ingress, the annotation and the value', async () => {
    const input = ingressYaml('bad', '"alb.ingress.kubernetes.io/scheme": "public"');
    const { code, out } = await plan(['-f', '-', '--output', 'text'], input);
    assert.equal(code, 1);
    assert.ok(out.includes('error   default/bad  alb.ingress.kubernetes.io/scheme: "public"'), out);
    assert.ok(out.includes('scheme must be internal or internet-facing'), out);
    assert.ok(out.includes('frozen (errors below; nothing of theirs changes): default/bad'), out);
    assert.ok(out.endsWith('0 to delete; 1 error, 0 warnings.\n'), out);
  });

  it('exits 0 with a warning only, e.g. a converted beta Ingress', async () => {
    const { code, out, err } = await plan(['-f', 'fixtures/legacy.yaml'], '');
    const parsed = JSON.parse(out) as { problems: { severity: string; field: string }[] };
    assert.equal(code, 0);
    assert.deepEqual(
      parsed.problems.map((p) => [p.severity, p.field]),
      [['warning', 'apiVersion']],
    );
    assert.match(err, /note: no IngressClass in the input: assuming 'alb'/);
  });

  it('exits 2 with one line naming the flag on a usage error, printing nothing on stdout', async () => {
    const { code, out, err } = await plan(['-f', '-', '--output', 'xml'], '');
    assert.equal(code, 2);
    assert.equal(out, '');
    assert.equal(
      err,
      "albatross plan: --output must be json or text, not 'xml' (see albatross plan --help)\n",
    );
  });

  it('exits 2 on a YAML syntax error, naming the input and the line', async () => {
    const { code, err } = await plan(['-f', '-'], 'kind: Ingress\nmetadata: {name: [x\n');
    assert.equal(code, 2);
    assert.match(err, /^albatross plan: <stdin>:\d+:\d+: YAML syntax error/);
  });

  it('leaves Ingresses of other classes out, and says why when nothing is left', async () => {
    const other = `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: other
  annotations:
    kubernetes.io/ingress.class: nginx
`;
    const { code, out, err } = await plan(['-f', '-', '-o', 'text'], other);
    assert.equal(code, 0);
    assert.ok(out.startsWith('No Ingress of ours in the input: nothing to plan.'), out);
    assert.match(err, /note: left out 1 Ingress not of class 'alb' .*: default\/other\n/);
  });

  it('prints help with exit 0', async () => {
    const { code, out } = await plan(['--help'], '');
    assert.equal(code, 0);
    assert.match(out, /^Usage: albatross plan -f PATH/);
  });
});
