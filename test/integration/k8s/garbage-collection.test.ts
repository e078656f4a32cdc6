/**
 * Garbage collection through the work queue, live: two stacks whose Ingresses were
 * deleted with their finalizers removed by hand (the controller was down), and the first
 * one's load balancer refuses deletion (injected: the emulator never refuses). The sweep
 * itself writes nothing and only enqueues each orphan's group key; the queue's workers
 * then delete the second orphan although the first keeps failing, and the first backs off
 * on its own key.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { NetworkingV1Api } from '@kubernetes/client-node';
import type { AwsClients } from '../../../pkg/aws/index.ts';
import type { ClusterCaches } from '../../../pkg/k8s/index.ts';
import { garbageCollection } from '../../../controller/garbage-collection.ts';
import { createLogger } from '../../../controller/log.ts';
import { applyQueueAction } from '../../../controller/manager.ts';
import type { Reconciler } from '../../../controller/reconciler.ts';
import { WorkQueue } from '../../../controller/work-queue.ts';
import { WorkerPool } from '../../../controller/workers.ts';
import { useTestEnv } from '../../env/testenv.ts';
import { eventually, ingress } from './helpers.ts';
import { startInProcessWorld, type InProcessWorld } from './in-process-world.ts';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

describe('garbage collection through the work queue', () => {
  const testEnv = useTestEnv();
  let ns: string;
  let net: NetworkingV1Api;
  let aws: AwsClients;
  let caches: ClusterCaches;
  let reconciler: Reconciler;
  let harness: InProcessWorld;
  const signal = new AbortController().signal;
  /** ARNs whose DeleteLoadBalancer fails, as AWS may (a permission, a transient error). */
  const refuseDeletion = new Set<string>();

  before(async () => {
    harness = await startInProcessWorld(testEnv.env, 'gc-queue', ['web']);
    ({ ns, net, aws, caches, reconciler } = harness);
    aws.elbv2.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { LoadBalancerArn?: string };
        if (
          context.commandName === 'DeleteLoadBalancerCommand' &&
          refuseDeletion.has(input.LoadBalancerArn ?? '')
        ) {
          throw Object.assign(new Error('User is not authorized to perform DeleteLoadBalancer'), {
            name: 'AccessDenied',
            $metadata: { httpStatusCode: 403 },
          });
        }
        return next(args);
      },
      { step: 'initialize', name: 'refuseDeletion' },
    );
  });
  after(async () => {
    await harness.stop();
  });

  async function loadBalancers(): Promise<Map<string, string>> {
    const out = await aws.elbv2.send(new DescribeLoadBalancersCommand({}));
    return new Map(
      (out.LoadBalancers ?? []).map((lb) => [
        lb.DNSName?.toLowerCase() ?? '',
        lb.LoadBalancerArn ?? '',
      ]),
    );
  }

  /** Applies an Ingress, then deletes it as if no controller ran: finalizer removed by hand. */
  async function orphaned(name: string): Promise<string> {
    await net.createNamespacedIngress({
      namespace: ns,
      body: ingress(ns, name, { services: ['web'] }),
    });
    await eventually(`${name} cached`, () => caches.ingresses.get(name, ns));
    const report = await reconciler.reconcile(`${ns}/${name}`, signal);
    assert.ok(report.dnsName !== null);
    await net.patchNamespacedIngress(
      { name, namespace: ns, body: { metadata: { finalizers: null } } },
      mergePatch,
    );
    await net.deleteNamespacedIngress({ name, namespace: ns });
    await eventually(`${name} gone from cache`, () =>
      caches.ingresses.get(name, ns) === undefined ? true : undefined,
    );
    return report.dnsName;
  }

  it('one failing orphan does not stop the others, and the sweep itself writes nothing', async () => {
    // GIVEN two orphaned stacks; AWS refuses to delete the first one's ALB
    const first = await orphaned('a-first');
    const second = await orphaned('b-second');
    const arns = await loadBalancers();
    refuseDeletion.add(arns.get(first) ?? '');
    const queue = new WorkQueue({ backoff: { baseMs: 60_000 } });
    const log = createLogger({ write: () => undefined });
    // WHEN the sweep runs
    aws.calls.reset();
    const sweep = garbageCollection(
      reconciler,
      (key) => {
        queue.add(key);
      },
      log,
    );
    const swept = await sweep('collect-garbage:', signal);
    // THEN it only queued both orphans' group keys: no AWS write of its own, so it can
    // never reconcile a group beside a worker holding that group's key
    assert.equal(swept.outcome, 'success');
    assert.equal(aws.calls.mutatingCalls(), 0, 'the sweep writes nothing');
    assert.equal(queue.length, 2);
    // WHEN the queue's workers take them
    const pool = new WorkerPool({
      queue,
      workers: 2,
      process: async (key, s) => {
        applyQueueAction(queue, key, await reconciler.process(key, s));
      },
    });
    pool.start();
    try {
      // THEN the second orphan is deleted although the first failed
      await eventually(
        'the second ALB deleted',
        async () => ((await loadBalancers()).has(second) ? undefined : true),
        30_000,
      );
      await eventually('the first backed off', () =>
        queue.numRequeues(`${ns}/a-first`) > 0 ? true : undefined,
      );
      assert.ok((await loadBalancers()).has(first), 'the refused ALB is still there');
      assert.equal(queue.numRequeues(`${ns}/b-second`), 0);
      // AND once AWS accepts, the first one's own retry deletes it
      refuseDeletion.clear();
      queue.forget(`${ns}/a-first`);
      queue.add(`${ns}/a-first`);
      await eventually(
        'the first ALB deleted',
        async () => ((await loadBalancers()).has(first) ? undefined : true),
        30_000,
      );
    } finally {
      await pool.stop(10_000);
    }
  });
});
