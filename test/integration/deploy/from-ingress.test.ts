/**
 * The whole pure pipeline against the emulator: an Ingress group goes through
 * buildStack, the stack is applied, and the next round — built again from the same
 * group — plans nothing and writes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { V1Ingress, V1Node, V1Service } from '@kubernetes/client-node';
import { discoverStack } from '../../../pkg/deploy/index.ts';
import type { DeployContext } from '../../../pkg/deploy/index.ts';
import type { IngressGroup } from '../../../pkg/ingress/group.ts';
import { buildStack, defaultTranslateConfig } from '../../../pkg/translate/index.ts';
import type { Env, Subnet, TranslateConfig } from '../../../pkg/translate/index.ts';
import { useTestEnv } from '../../env/testenv.ts';
import type { TestEnv } from '../../env/testenv.ts';
import { deployContext, reconcile, writes } from './harness.ts';

function shopIngress(paths: readonly [string, string][]): V1Ingress {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      namespace: 'shop',
      name: 'web',
      annotations: { 'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP": 80}, {"HTTP": 8080}]' },
    },
    spec: {
      ingressClassName: 'alb',
      rules: [
        {
          http: {
            paths: paths.map(([path, service]) => ({
              path,
              pathType: 'Prefix',
              backend: { service: { name: service, port: { number: 80 } } },
            })),
          },
        },
      ],
    },
  };
}

function group(ingress: V1Ingress): IngressGroup {
  return {
    key: { kind: 'implicit', namespace: 'shop', name: 'web' },
    id: 'shop/web',
    members: [{ key: 'shop/web', ingress, order: 0 }],
    inactiveMembers: [],
    problems: [],
  };
}

function service(name: string, nodePort: number): V1Service {
  return {
    metadata: { namespace: 'shop', name },
    spec: { type: 'NodePort', ports: [{ port: 80, targetPort: 8080, nodePort, protocol: 'TCP' }] },
  };
}

function worldEnv(env: TestEnv): Env {
  const cluster = `kubernetes.io/cluster/${env.clusterName}`;
  const subnets: Subnet[] = [
    ...env.world.publicSubnetIds.map((subnetId, i) => ({
      subnetId,
      availabilityZone: `us-east-1${'abc'[i] ?? 'a'}`,
      vpcId: env.world.vpcId,
      availableIpAddressCount: 4000,
      tags: { 'kubernetes.io/role/elb': '1', [cluster]: 'shared' },
    })),
    ...env.world.privateSubnetIds.map((subnetId, i) => ({
      subnetId,
      availabilityZone: `us-east-1${'abc'[i] ?? 'a'}`,
      vpcId: env.world.vpcId,
      availableIpAddressCount: 4000,
      tags: { 'kubernetes.io/role/internal-elb': '1', [cluster]: 'shared' },
    })),
  ];
  const nodes: V1Node[] = env.world.nodes.map((n) => ({
    metadata: { name: n.name, labels: { 'topology.kubernetes.io/zone': n.zone } },
    spec: { providerID: `aws:///${n.zone}/${n.instanceId}` },
    status: { conditions: [{ type: 'Ready', status: 'True' }] },
  }));
  return {
    services: new Map([
      ['shop/api', service('api', 30080)],
      ['shop/web', service('web', 30081)],
    ]),
    endpointSlices: new Map(),
    nodes,
    ingressClasses: new Map([
      ['alb', { metadata: { name: 'alb' }, spec: { controller: 'albatross.dev/alb' } }],
    ]),
    subnets,
  };
}

describe('deploy: from an Ingress group through buildStack', () => {
  const testEnv = useTestEnv();
  let env: TestEnv;
  let ctx: DeployContext;
  let config: TranslateConfig;
  before(async () => {
    env = testEnv.env;
    await env.resetAws();
    ctx = deployContext(env);
    config = { ...defaultTranslateConfig, clusterName: env.clusterName };
  });
  after(() => {
    ctx.clients.destroy();
  });

  it('GIVEN an Ingress with two paths on two ports WHEN built and applied THEN the ALB serves them and the next round plans nothing', async () => {
    const built = buildStack(
      group(
        shopIngress([
          ['/api', 'api'],
          ['/', 'web'],
        ]),
      ),
      worldEnv(env),
      config,
    );
    assert.deepEqual(
      built.problems.filter((p) => p.severity === 'error'),
      [],
    );
    const first = await reconcile(ctx, built.stack);
    assert.match(first.result.dnsName ?? '', /elb\.amazonaws\.com$/);
    assert.deepEqual(first.result.skipped, []);

    const again = buildStack(
      group(
        shopIngress([
          ['/api', 'api'],
          ['/', 'web'],
        ]),
      ),
      worldEnv(env),
      config,
    );
    const second = await reconcile(ctx, again.stack);
    assert.deepEqual(
      second.plan.map((s) => `${s.op} ${s.kind} ${s.id}`),
      [],
    );
    assert.equal(second.mutating, 0);

    const found = await discoverStack(ctx, 'shop/web');
    assert.deepEqual(found?.listeners.map((l) => l.port).sort(), [80, 8080]);
    assert.equal(found.targetGroups.length, 2);
    assert.equal(found.rules.length, built.stack.rules.length);
    assert.equal(found.backendRules.length, built.stack.backendRules.length);

    // A path edit changes the rule's id (ids hash host, path type and path), so the
    // planner creates the new rule before it deletes the old one: no window without it.
    const edited = buildStack(
      group(
        shopIngress([
          ['/v2', 'api'],
          ['/', 'web'],
        ]),
      ),
      worldEnv(env),
      config,
    );
    const third = await reconcile(ctx, edited.stack);
    const ops = third.plan.map((s) => `${s.op} ${s.kind}`);
    assert.ok(ops.lastIndexOf('create ListenerRule') < ops.indexOf('delete ListenerRule'));
    assert.equal(third.calls.CreateRule, 2, 'one new rule per listener');
    assert.equal(third.calls.DeleteRule, 2, 'one old rule per listener');
    const fourth = await reconcile(ctx, edited.stack);
    assert.deepEqual(fourth.plan, []);
    assert.deepEqual(writes(fourth), {});
  });
});
