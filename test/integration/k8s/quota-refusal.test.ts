/**
 * A group that passes a load balancer quota (issue 10): a problem naming the quota, never
 * a half-applied listener.
 *
 * - The account's quota is lower than the controller knows (lowered at the emulator only):
 *   AWS refuses the CreateRule that passes it; the rules that attempt created are deleted
 *   again, so the listener routes exactly as before (read from the emulator); the members
 *   get a QuotaExceeded Warning naming the quota, AWS's answer, the count the group needs
 *   and AWS's default; and the queue waits its long delay instead of retrying every
 *   second (the reconciles run through the controller's WorkQueue and handleResult).
 * - The controller is told the quota (`--quota-rules-per-load-balancer`, here its
 *   TranslateConfig): the member that would pass it is frozen up front with a problem
 *   naming the quota and the flag, and nothing of it is written.
 */
import assert from 'node:assert/strict';
import { after, afterEach, describe, it } from 'node:test';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { CoreV1Api, CoreV1Event } from '@kubernetes/client-node';
import { applyQueueAction } from '../../../controller/manager.ts';
import { WorkQueue } from '../../../controller/work-queue.ts';
import { WorkerPool } from '../../../controller/workers.ts';
import { isMutating, type AwsClients } from '../../../pkg/aws/index.ts';
import { AlbQuotas } from '../../../pkg/model/index.ts';
import { setQuotas } from '../../env/moto.ts';
import { useTestEnv } from '../../env/testenv.ts';
import { eventually, ingress } from './helpers.ts';
import { startInProcessWorld, type InProcessWorld } from './in-process-world.ts';

const group = (order: number) => ({
  'alb.ingress.kubernetes.io/group.name': 'quota',
  'alb.ingress.kubernetes.io/group.order': String(order),
});

/** Each rule of the group's load balancer as `arn priority paths`, sorted. */
async function rulesInAws(aws: AwsClients): Promise<string[]> {
  const lbs = (await aws.elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
  assert.equal(lbs.length, 1);
  const out: string[] = [];
  const listeners =
    (
      await aws.elbv2.send(
        new DescribeListenersCommand({ LoadBalancerArn: lbs[0]?.LoadBalancerArn }),
      )
    ).Listeners ?? [];
  for (const l of listeners) {
    const rules = (await aws.elbv2.send(new DescribeRulesCommand({ ListenerArn: l.ListenerArn })))
      .Rules;
    for (const r of rules ?? []) {
      if (r.IsDefault === true) continue;
      const paths = (r.Conditions ?? []).flatMap((c) => [
        ...(c.PathPatternConfig?.Values ?? []),
        ...(c.PathPatternConfig?.RegexValues ?? []),
      ]);
      out.push(`${r.RuleArn ?? ''} ${r.Priority ?? ''} ${paths.join(',')}`);
    }
  }
  return out.sort();
}

function calls(aws: AwsClients, operation: string): number {
  return aws.calls
    .snapshot()
    .filter((c) => c.operation === operation)
    .reduce((n, c) => n + c.count, 0);
}

async function warnings(core: CoreV1Api, ns: string, name: string): Promise<CoreV1Event[]> {
  const list = await core.listNamespacedEvent({ namespace: ns });
  return list.items.filter((e) => e.type === 'Warning' && e.involvedObject.name === name);
}

describe('a group past a load balancer quota', () => {
  const testEnv = useTestEnv();
  let harness: InProcessWorld | undefined;
  let pool: WorkerPool | undefined;
  afterEach(async () => {
    await pool?.stop(5_000);
    pool = undefined;
    await harness?.stop();
    harness = undefined;
  });
  after(async () => {
    await testEnv.env.resetAws();
  });

  it('AWS refuses it (a lower quota the controller does not know): the listener routes as before, a QuotaExceeded Warning names the quota, and no tight retry loop', async () => {
    const queue = new WorkQueue();
    harness = await startInProcessWorld(testEnv.env, 'quota', ['web', 'api', 'shop', 'cart'], {
      enqueue: (key) => {
        queue.add(key);
      },
    });
    const { ns, net, core, aws, reconciler } = harness;
    pool = new WorkerPool({
      queue,
      process: async (key, signal) => {
        applyQueueAction(queue, key, await reconciler.process(key, signal));
      },
    });
    pool.start();

    // GIVEN a group whose first member holds 2 rules, and an account allowing 3
    await net.createNamespacedIngress({
      namespace: ns,
      body: ingress(ns, 'a', { services: ['web', 'api'], annotations: group(1) }),
    });
    const before = await eventually('the first member applied', async () => {
      const lbs = (await aws.elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers;
      if ((lbs ?? []).length === 0) return undefined;
      const rules = await rulesInAws(aws);
      return rules.length === 2 ? rules : undefined;
    });
    await setQuotas(testEnv.env.state.awsEndpoint, { rules_per_load_balancer: 3 });
    aws.calls.reset();

    // WHEN a second member adds 2 more rules
    await net.createNamespacedIngress({
      namespace: ns,
      body: ingress(ns, 'b', { services: ['shop', 'cart'], path: '/b', annotations: group(2) }),
    });

    // THEN each member is told, naming the quota, AWS's answer, the need and the default
    const [warning] = await eventually('the QuotaExceeded Warning', async () => {
      const found = (await warnings(core, ns, 'b')).filter((e) => e.reason === 'QuotaExceeded');
      return found.length > 0 ? found : undefined;
    });
    const message = warning?.message ?? '';
    assert.match(message, /quota "rules per Application Load Balancer, default rules excluded"/);
    assert.match(message, /AWS's default 100/);
    assert.match(message, /this group needs 4 listener rules/);
    assert.match(message, /TooManyRules: You've reached the limit on the number of rules/);
    assert.match(message, /the 1 listener rules this attempt had created were deleted again/);
    assert.match(message, /Split the group/);
    assert.match(message, /--quota-rules-per-load-balancer/);
    assert.ok(
      (await warnings(core, ns, 'a')).some((e) => e.reason === 'QuotaExceeded'),
      'the first member hears it too: its group is not converged',
    );
    // AND the listener holds exactly the rules it had: nothing of the new member half-created
    assert.deepEqual(await rulesInAws(aws), before);

    // AND the refusal is not retried in a tight loop: one attempt (one create accepted,
    // one refused), then nothing for the seconds that follow
    const attempts = calls(aws, 'CreateRule');
    assert.equal(attempts, 2, 'one attempt: the create that fit and the one refused');
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    assert.equal(calls(aws, 'CreateRule'), attempts, 'no retry within 6 s');
    assert.deepEqual(await rulesInAws(aws), before);
  });

  it('the controller told the quota (--quota-rules-per-load-balancer) freezes the member up front with a problem naming it, and writes nothing of it', async () => {
    harness = await startInProcessWorld(testEnv.env, 'quota-flag', ['web', 'api', 'shop', 'cart'], {
      translate: { quotas: { ...AlbQuotas, rulesPerLoadBalancer: 3 } },
    });
    const { ns, net, core, aws, caches, reconciler } = harness;
    const signal = new AbortController().signal;
    // The account's quota is 3, and the controller knows it.
    await setQuotas(testEnv.env.state.awsEndpoint, { rules_per_load_balancer: 3 });
    await net.createNamespacedIngress({
      namespace: ns,
      body: ingress(ns, 'a', { services: ['web', 'api'], annotations: group(1) }),
    });
    await eventually('cache of a', () => caches.ingresses.get('a', ns));
    await reconciler.reconcile('quota', signal);
    const before = await rulesInAws(aws);
    assert.equal(before.length, 2);

    await net.createNamespacedIngress({
      namespace: ns,
      body: ingress(ns, 'b', { services: ['shop', 'cart'], path: '/b', annotations: group(2) }),
    });
    await eventually('cache of b', () => caches.ingresses.get('b', ns));
    aws.calls.reset();
    const report = await reconciler.reconcile('quota', signal);

    // THEN b is frozen with a problem naming the quota, its value and the flag
    assert.deepEqual(report.frozen, [`${ns}/b`]);
    const [warning] = await eventually('the FailedBuildModel Warning', async () => {
      const found = (await warnings(core, ns, 'b')).filter((e) => e.reason === 'FailedBuildModel');
      return found.length > 0 ? found : undefined;
    });
    assert.match(
      warning?.message ?? '',
      /adds 2 listener rules to the 2 of the members before it; this account's load balancers allow at most 3 \(--quota-rules-per-load-balancer; AWS's default is 100\)/,
    );
    // AND nothing was written to AWS: no rule refused, none created
    assert.deepEqual(
      aws.calls.snapshot().filter((c) => isMutating(c.operation)),
      [],
    );
    assert.deepEqual(await rulesInAws(aws), before);
  });
});
