/**
 * `--quota-rules-per-load-balancer` and `--quota-target-groups-per-load-balancer` tell
 * the planner an account's quotas: the member that would pass one is frozen with a
 * problem naming the quota, its value, the flag and AWS's default. Without them, AWS's
 * defaults hold and the plan is as before.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseControllerConfig } from '../../../controller/config.ts';
import { runPlan } from '../../../pkg/cli/index.ts';
import { defaultPlanCore } from '../../../pkg/cli/core.ts';
import { captureIo } from './cli-io.ts';

const member = (name: string, order: number, paths: readonly string[]) => `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${name}
  namespace: shop
  annotations:
    alb.ingress.kubernetes.io/group.name: quota
    alb.ingress.kubernetes.io/group.order: '${String(order)}'
spec:
  ingressClassName: alb
  rules:
    - http:
        paths:
${paths.map((p) => `          - {path: ${p}, pathType: Exact, backend: {service: {name: ${name}, port: {number: 80}}}}`).join('\n')}
---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: shop}
spec:
  type: NodePort
  ports: [{port: 80, targetPort: 8080, nodePort: ${String(30080 + order)}}]
---`;

const manifests = [member('a', 1, ['/a1', '/a2']), member('b', 2, ['/b1', '/b2'])].join('\n');

interface Planned {
  stacks: { frozenMembers?: string[]; listeners: { rules: unknown[] }[] }[];
  problems: { ingress: string; field: string; message: string }[];
}

async function plan(flags: readonly string[]): Promise<Planned> {
  const io = captureIo({ stdin: manifests });
  const code = await runPlan(['-f', '-', '-o', 'json', ...flags], io, defaultPlanCore);
  assert.ok(code === 0 || code === 1, io.err());
  return JSON.parse(io.out()) as Planned;
}

describe('albatross plan: the quota flags', () => {
  it("GIVEN no quota flag THEN AWS's defaults hold: both members fit", async () => {
    const out = await plan([]);
    assert.equal(out.stacks[0]?.frozenMembers, undefined);
    assert.equal(out.stacks[0]?.listeners[0]?.rules.length, 4);
  });

  it('GIVEN --quota-rules-per-load-balancer 3 THEN the member that passes it is frozen, with a problem naming the quota and the flag', async () => {
    const out = await plan(['--quota-rules-per-load-balancer', '3']);
    const [stack] = out.stacks;
    assert.deepEqual(stack?.frozenMembers, ['shop/b']);
    assert.equal(stack.listeners[0]?.rules.length, 2, 'only the member within the quota');
    const problem = out.problems.find((p) => p.ingress === 'shop/b');
    assert.match(
      problem?.message ?? '',
      /adds 2 listener rules to the 2 of the members before it; this account's load balancers allow at most 3 \(--quota-rules-per-load-balancer; AWS's default is 100\)/,
    );
  });

  it('GIVEN --quota-target-groups-per-load-balancer 1 THEN the second target group freezes its member', async () => {
    const out = await plan(['--quota-target-groups-per-load-balancer', '1']);
    assert.deepEqual(out.stacks[0]?.frozenMembers, ['shop/b']);
    assert.match(
      out.problems.find((p) => p.ingress === 'shop/b')?.message ?? '',
      /at most 1 \(--quota-target-groups-per-load-balancer; AWS's default is 100\)/,
    );
  });

  it('GIVEN the flags on the controller THEN its translate config carries the same quotas', () => {
    const parsed = parseControllerConfig(
      ['--cluster-name', 'c', '--aws-region', 'eu-west-1', '--quota-rules-per-load-balancer', '3'],
      {},
    );
    assert.equal(parsed.kind, 'ok');
    const { quotas } = parsed.options.translate;
    assert.equal(quotas?.rulesPerLoadBalancer, 3);
    assert.equal(quotas.targetGroupsPerLoadBalancer, 100);
  });

  for (const value of ['0', 'many', '10001']) {
    it(`GIVEN --quota-rules-per-load-balancer ${value} THEN the controller refuses it naming the flag`, () => {
      const parsed = parseControllerConfig(
        [
          '--cluster-name',
          'c',
          '--aws-region',
          'eu-west-1',
          '--quota-rules-per-load-balancer',
          value,
        ],
        {},
      );
      assert.equal(parsed.kind, 'usage-error');
      assert.match(parsed.message, /--quota-rules-per-load-balancer.*an integer from 1 to 10000/);
    });
  }
});
