/**
 * A restarted controller verifies an unchanged group with the reads a warm one spends
 * (the tagging call and one DescribeRules per listener) and writes nothing, because the
 * last clean apply left the `albatross.dev/applied` tag on the load balancer
 * (pkg/deploy/applied-tag.ts, restore-stack.ts). Real kube-apiserver and moto; the
 * "restart" is a fresh in-process reconciler: new caches, new DiscoveryCache, new clients.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RequestCertificateCommand } from '@aws-sdk/client-acm';
import {
  DeleteRuleCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { V1Ingress } from '@kubernetes/client-node';
import { isMutating } from '../../../pkg/aws/index.ts';
import { decodeApplied } from '../../../pkg/deploy/index.ts';
import { TAG_APPLIED, TAG_STACK } from '../../../pkg/naming/index.ts';
import type { ReconcileReport } from '../../../controller/reconciler.ts';
import {
  startInProcessReconciler,
  type InProcessReconciler,
} from '../../env/in-process-reconciler.ts';
import { FaultProxy } from '../../env/fault-proxy.ts';
import { useTestEnv } from '../../env/testenv.ts';
import { eventually, ingress } from './helpers.ts';
import { startInProcessWorld, type InProcessWorld } from './in-process-world.ts';

const A = 'alb.ingress.kubernetes.io/';
const GROUPS = 12;
const HTTPS_GROUPS = 3;
/** Long enough that no full read falls due during the test. */
const DAY = 86_400_000;

interface Counted {
  readonly report: ReconcileReport;
  readonly reads: Record<string, number>;
  readonly writes: Record<string, number>;
}

const total = (counts: Record<string, number>): number =>
  Object.values(counts).reduce((a, b) => a + b, 0);

describe('restart: an unchanged group is verified from its applied tag', () => {
  const testEnv = useTestEnv();
  const signal = new AbortController().signal;
  let world: InProcessWorld;
  let ns: string;
  let cert: string;
  const names = Array.from({ length: GROUPS }, (_, i) => `app-${String(i).padStart(2, '0')}`);
  const listenersOf = (name: string): number => (names.indexOf(name) < HTTPS_GROUPS ? 2 : 1);

  function body(name: string, path?: string) {
    const https = names.indexOf(name) < HTTPS_GROUPS;
    return ingress(ns, name, {
      services: ['web', 'api'],
      ...(path === undefined ? {} : { path }),
      annotations: https
        ? { [`${A}listen-ports`]: '[{"HTTP":80},{"HTTPS":443}]', [`${A}certificate-arn`]: cert }
        : {},
    });
  }

  async function restart(endpoint?: string): Promise<InProcessReconciler> {
    return startInProcessReconciler(testEnv.env, {
      namespace: ns,
      reconciler: { fullDiscoveryIntervalMs: DAY },
      ...(endpoint !== undefined ? { awsEndpoint: endpoint } : {}),
    });
  }

  /** Waits until `r`'s cache holds the version of `name` the API server has now. */
  async function cached(r: InProcessReconciler, name: string): Promise<void> {
    const live = await r.net.readNamespacedIngress({ name, namespace: ns });
    await eventually(`cache of ${name}`, () =>
      r.caches.ingresses.get(name, ns)?.metadata?.resourceVersion === live.metadata?.resourceVersion
        ? true
        : undefined,
    );
  }

  async function reconcile(r: InProcessReconciler, name: string): Promise<Counted> {
    r.aws.calls.reset();
    const report = await r.reconciler.reconcile(`${ns}/${name}`, signal);
    const reads: Record<string, number> = {};
    const writes: Record<string, number> = {};
    for (const c of r.aws.calls.snapshot()) {
      const into = isMutating(c.operation) ? writes : reads;
      into[c.operation] = (into[c.operation] ?? 0) + c.count;
    }
    await cached(r, name);
    return { report, reads, writes };
  }

  async function replaceIngress(next: V1Ingress): Promise<void> {
    const name = next.metadata?.name ?? '';
    const live = await world.net.readNamespacedIngress({ name, namespace: ns });
    if (next.metadata !== undefined) {
      next.metadata.resourceVersion = live.metadata?.resourceVersion ?? '';
    }
    await world.net.replaceNamespacedIngress({ name, namespace: ns, body: next });
  }

  /** The stack's load balancer ARN and its applied tag, read from ELBv2. */
  async function appliedTag(name: string): Promise<{ arn: string; value: string | undefined }> {
    const lbs = (await world.aws.elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers;
    const arns = (lbs ?? []).map((lb) => lb.LoadBalancerArn ?? '');
    const tags = await world.aws.elbv2.send(new DescribeTagsCommand({ ResourceArns: arns }));
    const mine = (tags.TagDescriptions ?? []).find((d) =>
      (d.Tags ?? []).some((t) => t.Key === TAG_STACK && t.Value === `${ns}/${name}`),
    );
    assert.ok(mine !== undefined, `no load balancer of ${name}`);
    return {
      arn: mine.ResourceArn ?? '',
      value: mine.Tags?.find((t) => t.Key === TAG_APPLIED)?.Value,
    };
  }

  async function ruleArns(lbArn: string): Promise<string[]> {
    const listeners = await world.aws.elbv2.send(
      new DescribeListenersCommand({ LoadBalancerArn: lbArn }),
    );
    const http = listeners.Listeners?.find((l) => l.Port === 80)?.ListenerArn;
    const rules = await world.aws.elbv2.send(new DescribeRulesCommand({ ListenerArn: http }));
    return (rules.Rules ?? []).filter((r) => r.IsDefault !== true).map((r) => r.RuleArn ?? '');
  }

  before(async () => {
    world = await startInProcessWorld(testEnv.env, 'restart', ['web', 'api'], {
      reconciler: { fullDiscoveryIntervalMs: DAY },
    });
    ns = world.ns;
    const requested = await testEnv.env.aws.acm.send(
      new RequestCertificateCommand({ DomainName: 'restart.example.com' }),
    );
    cert = requested.CertificateArn ?? '';
    for (const name of names) {
      await world.net.createNamespacedIngress({ namespace: ns, body: body(name) });
    }
    for (const name of names) await cached(world, name);
  });
  after(async () => {
    await world.stop();
  });

  it('converges every group, and tags each load balancer once, after its apply', async () => {
    for (const name of names) {
      const first = await reconcile(world, name);
      assert.ok(first.report.planned > 0, name);
      // The one write the restart promise costs a new group: AddTags of the applied tag.
      assert.equal(first.writes.AddTags, 1, `${name}: ${JSON.stringify(first.writes)}`);
      assert.equal(first.writes.RemoveTags, undefined, name);
      const second = await reconcile(world, name);
      assert.equal(second.report.discovery, 'verified', name);
      assert.deepEqual(second.writes, {}, name);
      const tag = await appliedTag(name);
      const record = decodeApplied(tag.value);
      assert.ok(!('unusable' in record), `${name}: ${JSON.stringify(record)}`);
      assert.equal(record.listenerIds.size, listenersOf(name));
    }
  });

  it('after a restart, verifies every unchanged group with at most 1 + L reads and no write', async () => {
    const fresh = await restart();
    try {
      // Start-up work that is not per group: garbage collection's listing.
      fresh.aws.calls.reset();
      assert.deepEqual(await fresh.reconciler.orphanKeys(signal), []);
      const startup = total(
        Object.fromEntries(fresh.aws.calls.snapshot().map((c) => [c.operation, c.count])),
      );
      let clusterLevel = 0;
      let all = startup;
      for (const name of names) {
        const { report, reads, writes } = await reconcile(fresh, name);
        assert.equal(report.discovery, 'verified', `${name}: ${JSON.stringify(reads)}`);
        assert.equal(report.planned, 0, name);
        assert.deepEqual(writes, {}, name);
        // The stack's reads: the tagging call and one DescribeRules per listener.
        const stackReads = (reads.GetResources ?? 0) + (reads.DescribeRules ?? 0);
        assert.deepEqual(
          { GetResources: reads.GetResources, DescribeRules: reads.DescribeRules },
          { GetResources: 1, DescribeRules: listenersOf(name) },
          name,
        );
        // Anything else is the process's own start-up (subnets, the shared backend
        // group), paid by the first reconcile and cached after it.
        if (name !== names[0]) {
          assert.equal(total(reads), stackReads, `${name}: ${JSON.stringify(reads)}`);
        }
        clusterLevel += total(reads) - stackReads;
        all += total(reads);
      }
      // Once per process, whatever the number of groups: subnets, the shared backend group,
      // the nodes' security groups, the cluster's backend rules (authorize, then revoke).
      assert.ok(
        clusterLevel <= 6,
        `cluster-level reads after the restart: ${String(clusterLevel)}`,
      );
      console.log(
        `restart of ${String(GROUPS)} groups (${String(HTTPS_GROUPS)} with HTTPS): ` +
          `${String(all)} calls in all (${String(startup)} for garbage collection, ` +
          `${String(clusterLevel)} cluster-level), 0 writes`,
      );
    } finally {
      await fresh.stop();
    }
  });

  it('applies a change after a restart and updates the tag: removed before, written after', async () => {
    const name = names[HTTPS_GROUPS] ?? '';
    const before = await appliedTag(name);
    await replaceIngress(body(name, '/shop'));
    const fresh = await restart();
    try {
      await cached(fresh, name);
      const changed = await reconcile(fresh, name);
      assert.equal(changed.report.discovery, 'full');
      assert.ok((changed.report.byChange['update ListenerRule'] ?? 0) > 0, JSON.stringify(changed));
      // Removed before the apply's first write.
      assert.equal(changed.writes.RemoveTags, 1);
      // An in-place rule edit is not kept as applied (applied-stack.ts), so the next pass
      // reads in full, plans nothing, and writes the new applied tag then.
      const steady = await reconcile(fresh, name);
      assert.equal(steady.report.planned, 0);
      const after = await appliedTag(name);
      assert.equal(after.arn, before.arn);
      const record = decodeApplied(after.value);
      assert.ok(!('unusable' in record), JSON.stringify(record));
      assert.notEqual(after.value, before.value);
      const quiet = await reconcile(fresh, name);
      assert.equal(quiet.report.discovery, 'verified');
      assert.deepEqual(quiet.writes, {});
    } finally {
      await fresh.stop();
    }
    // AND a second restart verifies the changed group from its new tag
    const again = await restart();
    try {
      const verified = await reconcile(again, name);
      assert.equal(verified.report.discovery, 'verified');
      assert.deepEqual(verified.writes, {});
    } finally {
      await again.stop();
    }
  });

  it('reads in full after a restart when a rule was deleted by hand, and re-creates it', async () => {
    const name = names[HTTPS_GROUPS + 1] ?? '';
    const { arn } = await appliedTag(name);
    const rules = await ruleArns(arn);
    await world.aws.elbv2.send(new DeleteRuleCommand({ RuleArn: rules[0] }));
    const fresh = await restart();
    try {
      const repaired = await reconcile(fresh, name);
      assert.equal(repaired.report.discovery, 'full');
      assert.equal(repaired.report.byChange['create ListenerRule'], 1);
      assert.equal((await ruleArns(arn)).length, rules.length);
      const steady = await reconcile(fresh, name);
      assert.equal(steady.report.discovery, 'verified');
      assert.deepEqual(steady.writes, {});
    } finally {
      await fresh.stop();
    }
  });

  it('does not verify a half-applied change reverted before a restart: it reads in full and repairs', async () => {
    // GIVEN an apply that fails halfway: a new path creates its target group, then every
    // CreateRule fails (5xx, after the SDK's retries)
    const name = names[HTTPS_GROUPS + 2] ?? '';
    const proxy = await FaultProxy.start({ target: testEnv.env.state.awsEndpoint });
    const tgCount = async () =>
      ((await world.aws.elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? []).length;
    const tgsBefore = await tgCount();
    const faulty = await restart(proxy.endpoint);
    try {
      proxy.inject({ rate: 1, kinds: ['5xx'], actions: ['CreateRule', 'ModifyRule'] });
      const withAdmin = ingress(ns, name, { services: ['web', 'api', 'admin'] });
      await world.core.createNamespacedService({
        namespace: ns,
        body: {
          metadata: { name: 'admin', namespace: ns },
          spec: {
            type: 'NodePort',
            selector: { app: 'admin' },
            ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
          },
        },
      });
      await replaceIngress(withAdmin);
      await cached(faulty, name);
      await assert.rejects(faulty.reconciler.reconcile(`${ns}/${name}`, signal));
      assert.equal(await tgCount(), tgsBefore + 1, 'the new target group was created');
      // The tag was removed before the first write
      assert.equal((await appliedTag(name)).value, undefined);
    } finally {
      await faulty.stop();
      await proxy.stop();
    }
    // WHEN the change is reverted and the controller restarts
    await replaceIngress(body(name));
    const fresh = await restart();
    try {
      await cached(fresh, name);
      const repaired = await reconcile(fresh, name);
      // THEN it reads in full (no tag vouches for the stack) and deletes what the half
      // apply left, and tags the load balancer again
      assert.equal(repaired.report.discovery, 'full');
      assert.equal(repaired.report.byChange['delete TargetGroup'], 1, JSON.stringify(repaired));
      assert.equal(await tgCount(), tgsBefore);
      assert.equal(repaired.writes.AddTags, 1);
      const steady = await reconcile(fresh, name);
      assert.equal(steady.report.discovery, 'verified');
      assert.deepEqual(steady.writes, {});
    } finally {
      await fresh.stop();
    }
  });
});
