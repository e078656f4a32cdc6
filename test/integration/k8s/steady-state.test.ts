/**
 * Steady state against the API server and moto: an unchanged group is verified with a
 * few reads instead of discovered in full, and still every change (in the cluster, or
 * by hand in AWS) is applied within the bound pkg/deploy/discovery-cache.ts documents.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  DeleteRuleCommand,
  DeregisterTargetsCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';

import type { NetworkingV1Api } from '@kubernetes/client-node';

import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { isMutating } from '../../../pkg/aws/index.ts';
import type { AwsClients } from '../../../pkg/aws/index.ts';

import type { ClusterCaches } from '../../../pkg/k8s/index.ts';

import type { Reconciler } from '../../../controller/reconciler.ts';

import type { ReconcileReport } from '../../../controller/reconciler.ts';

import { useTestEnv } from '../../env/testenv.ts';

import { eventually, ingress } from './helpers.ts';
import { startInProcessWorld, type InProcessWorld } from './in-process-world.ts';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const HOUR = 3_600_000;

describe('steady state', () => {
  const testEnv = useTestEnv();
  let ns: string;
  let net: NetworkingV1Api;
  let aws: AwsClients;
  let caches: ClusterCaches;
  let reconciler: Reconciler;
  let group: string;
  /** The reconciler's clock: tests move it past the full-discovery interval. */
  let clock = 1_000_000;
  let harness: InProcessWorld;
  const signal = new AbortController().signal;

  before(async () => {
    harness = await startInProcessWorld(testEnv.env, 'steady', ['web', 'api'], {
      reconciler: { now: () => clock, fullDiscoveryIntervalMs: HOUR },
    });
    ({ ns, net, aws, caches, reconciler } = harness);
    group = `${ns}/shop`;
    await net.createNamespacedIngress({
      namespace: ns,
      body: ingress(ns, 'shop', { services: ['web', 'api'], path: '/shop' }),
    });
    await cached();
  });
  after(async () => {
    await harness.stop();
  });

  /** Waits until the cache holds the version of the Ingress the API server has now. */
  async function cached(): Promise<void> {
    const live = await net.readNamespacedIngress({ name: 'shop', namespace: ns });
    await eventually('cache of shop', () =>
      caches.ingresses.get('shop', ns)?.metadata?.resourceVersion === live.metadata?.resourceVersion
        ? true
        : undefined,
    );
  }

  /** One reconcile, with the AWS calls it made: reads and writes by operation. */
  async function reconcile(): Promise<{
    report: ReconcileReport;
    reads: Record<string, number>;
    writes: Record<string, number>;
  }> {
    aws.calls.reset();
    const report = await reconciler.reconcile(group, signal);
    const reads: Record<string, number> = {};
    const writes: Record<string, number> = {};
    for (const c of aws.calls.snapshot()) {
      const into = isMutating(c.operation) ? writes : reads;
      into[c.operation] = (into[c.operation] ?? 0) + c.count;
    }
    await cached();
    return { report, reads, writes };
  }

  const total = (counts: Record<string, number>): number =>
    Object.values(counts).reduce((a, b) => a + b, 0);

  async function ruleArns(): Promise<{ listenerArn: string; rules: string[] }> {
    const lb = (await aws.elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers?.[0];
    const listener = (
      await aws.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lb?.LoadBalancerArn }))
    ).Listeners?.[0];
    const listenerArn = listener?.ListenerArn ?? '';
    const rules = await aws.elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));
    return {
      listenerArn,
      rules: (rules.Rules ?? []).filter((r) => r.IsDefault !== true).map((r) => r.RuleArn ?? ''),
    };
  }

  it('only verifies, on the pass after the apply that created the group', async () => {
    // GIVEN a new Ingress: 2 paths to 2 NodePort Services, instance mode
    // WHEN it is reconciled (creating everything), then reconciled again
    const first = await reconcile();
    const second = await reconcile();
    // THEN the second pass plans nothing, writes nothing and only checks what the apply
    // left, instead of discovering the new stack in full (see new-ingress-calls.test.ts)
    assert.ok(first.report.dnsName !== null);
    assert.ok(first.report.planned > 0);
    assert.equal(second.report.planned, 0);
    assert.equal(second.report.discovery, 'verified');
    assert.deepEqual(second.writes, {});
    assert.deepEqual(second.reads, { GetResources: 1, DescribeRules: 1 });
  });

  it('verifies an unchanged group with at most 3 reads and no write', async () => {
    // GIVEN the group created and settled
    // WHEN reconciled again with nothing changed
    const again = await reconcile();
    // THEN nothing is written and only the cheap check is read
    assert.equal(again.report.discovery, 'verified');
    assert.equal(again.report.planned, 0);
    assert.deepEqual(again.writes, {});
    assert.ok(total(again.reads) <= 3, `reads: ${JSON.stringify(again.reads)}`);
    assert.deepEqual(again.reads, { GetResources: 1, DescribeRules: 1 });
  });

  it('re-creates a rule deleted by hand at the next reconcile', async () => {
    // GIVEN a settled group, WHEN one of its rules is deleted by hand
    const before = await ruleArns();
    assert.equal(before.rules.length, 2);
    await aws.elbv2.send(new DeleteRuleCommand({ RuleArn: before.rules[0] }));
    // THEN the next reconcile sees it, discovers in full and creates the rule again
    const repaired = await reconcile();
    assert.equal(repaired.report.discovery, 'full');
    assert.equal(repaired.report.byChange['create ListenerRule'], 1);
    assert.equal((await ruleArns()).rules.length, 2);
    // AND the group is steady again: the pass after the apply plans nothing
    const next = await reconcile();
    assert.equal(next.report.planned, 0);
    assert.equal(next.report.discovery, 'verified');
  });

  it('re-registers a target deregistered by hand once the full-discovery interval has passed', async () => {
    // GIVEN a settled group, WHEN a node is deregistered by hand (the check cannot see it)
    const tgs = await aws.elbv2.send(new DescribeTargetGroupsCommand({}));
    const tgArn = tgs.TargetGroups?.[0]?.TargetGroupArn ?? '';
    const node = testEnv.env.world.nodes[0]?.instanceId ?? '';
    const port = (await aws.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn })))
      .TargetHealthDescriptions?.[0]?.Target?.Port;
    await aws.elbv2.send(
      new DeregisterTargetsCommand({ TargetGroupArn: tgArn, Targets: [{ Id: node, Port: port }] }),
    );
    // THEN within the interval the group is only verified, and the target stays away
    clock += HOUR - 1;
    const within = await reconcile();
    assert.equal(within.report.discovery, 'verified');
    assert.deepEqual(within.writes, {});
    // AND it asks to come back exactly when the full read falls due, not at the next resync
    assert.equal(within.report.requeueAfterMs, 1);
    // AND the first reconcile after the interval discovers in full and registers it again
    clock += 1;
    const afterInterval = await reconcile();
    assert.equal(afterInterval.report.discovery, 'full');
    assert.deepEqual(afterInterval.writes, { RegisterTargets: 1 });
    assert.equal(afterInterval.report.requeueAfterMs, HOUR);
    const health = await aws.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }));
    const registered = (health.TargetHealthDescriptions ?? [])
      .filter((d) => d.TargetHealth?.State !== 'draining')
      .map((d) => d.Target?.Id);
    assert.ok(registered.includes(node), `registered: ${registered.join()}`);
  });

  it('applies an Ingress change at once, even right after a verified pass', async () => {
    // GIVEN a settled, verified group
    await reconcile();
    assert.equal((await reconcile()).report.discovery, 'verified');
    // WHEN a path changes in the cluster
    await net.patchNamespacedIngress(
      {
        name: 'shop',
        namespace: ns,
        body: ingress(ns, 'shop', { services: ['web', 'api'], path: '/store' }),
      },
      mergePatch,
    );
    await cached();
    const changed = await reconcile();
    // THEN both rules (`/store`, `/store/api`) are modified in place after a full discovery
    assert.equal(changed.report.discovery, 'full');
    assert.deepEqual(changed.report.byChange, { 'update ListenerRule': 2 });
    const { listenerArn } = await ruleArns();
    const rules = await aws.elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));
    const paths = (rules.Rules ?? []).flatMap((r) =>
      (r.Conditions ?? []).flatMap((c) => c.PathPatternConfig?.Values ?? []),
    );
    assert.ok(paths.includes('/store') && !paths.includes('/shop'), `paths: ${paths.join()}`);
  });
});
