/**
 * Deletion protection live (issue 15, item 10): when the group's ALB has
 * `deletion_protection.enabled=true` (set by hand here, as AWS's console would), deleting
 * its last Ingress is refused before any delete step: everything stays in the emulator
 * (which refuses DeleteLoadBalancer of a protected ALB, as AWS does: test/env/moto_server.py),
 * the finalizer is kept, and a Warning names the attribute. Switched off, the delete
 * proceeds and nothing of the group is left.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  ModifyLoadBalancerAttributesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { CoreV1Api, NetworkingV1Api } from '@kubernetes/client-node';

import type { Reconciler } from '../../../controller/reconciler.ts';
import { isMutating, type AwsClients } from '../../../pkg/aws/index.ts';
import type { ClusterCaches } from '../../../pkg/k8s/index.ts';
import { useTestEnv } from '../../env/testenv.ts';
import { eventually, ingress } from './helpers.ts';
import { startInProcessWorld, type InProcessWorld } from './in-process-world.ts';

describe('deletion protection', () => {
  const testEnv = useTestEnv();
  let harness: InProcessWorld;
  let net: NetworkingV1Api;
  let core: CoreV1Api;
  let aws: AwsClients;
  let caches: ClusterCaches;
  let reconciler: Reconciler;
  let ns: string;
  const signal = new AbortController().signal;

  before(async () => {
    harness = await startInProcessWorld(testEnv.env, 'protect', ['web']);
    ({ ns, net, core, aws, caches, reconciler } = harness);
  });
  after(async () => {
    await harness.stop();
  });

  async function inAws(): Promise<{ lbs: number; listeners: number; rules: number; tgs: number }> {
    const lbs = (await aws.elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
    let listeners = 0;
    let rules = 0;
    for (const lb of lbs) {
      const ls =
        (
          await aws.elbv2.send(
            new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }),
          )
        ).Listeners ?? [];
      listeners += ls.length;
      for (const l of ls) {
        const rs = (await aws.elbv2.send(new DescribeRulesCommand({ ListenerArn: l.ListenerArn })))
          .Rules;
        rules += (rs ?? []).filter((r) => r.IsDefault !== true).length;
      }
    }
    const tgs = (await aws.elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
    return { lbs: lbs.length, listeners, rules, tgs: tgs.length };
  }

  async function protect(enabled: boolean): Promise<void> {
    const lbs = (await aws.elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
    assert.equal(lbs.length, 1);
    await aws.elbv2.send(
      new ModifyLoadBalancerAttributesCommand({
        LoadBalancerArn: lbs[0]?.LoadBalancerArn,
        Attributes: [{ Key: 'deletion_protection.enabled', Value: String(enabled) }],
      }),
    );
  }

  it('refuses to delete a protected ALB up front, keeps everything and the finalizer, and deletes once it is switched off', async () => {
    // GIVEN a group of one Ingress, applied, whose ALB is then protected by hand
    await net.createNamespacedIngress({
      namespace: ns,
      body: ingress(ns, 'keep', { services: ['web'] }),
    });
    await eventually('cache of keep', () => caches.ingresses.get('keep', ns));
    await reconciler.reconcile(`${ns}/keep`, signal);
    const before = await inAws();
    assert.deepEqual(before, { lbs: 1, listeners: 1, rules: 1, tgs: 1 });
    await protect(true);

    // WHEN its last Ingress is deleted
    await net.deleteNamespacedIngress({ name: 'keep', namespace: ns });
    await eventually('deletion seen', () =>
      caches.ingresses.get('keep', ns)?.metadata?.deletionTimestamp === undefined
        ? undefined
        : true,
    );
    aws.calls.reset();
    // THEN the reconcile is refused with an error naming the attribute
    await assert.rejects(reconciler.reconcile(`${ns}/keep`, signal), (err: Error) => {
      assert.equal(err.name, 'ConfigError');
      assert.match(err.message, /deletion_protection\.enabled=true/);
      return true;
    });
    // AND no AWS write was made: the ALB, its listener, rule and target group still serve
    assert.deepEqual(
      aws.calls.snapshot().filter((c) => isMutating(c.operation)),
      [],
    );
    assert.deepEqual(await inAws(), before);
    // AND the Ingress keeps its finalizer
    const held = await net.readNamespacedIngress({ name: 'keep', namespace: ns });
    assert.ok((held.metadata?.finalizers ?? []).length > 0);
    // AND it carries a Warning naming the attribute
    const events = await eventually('the Warning', async () => {
      const list = await core.listNamespacedEvent({ namespace: ns });
      const found = list.items.filter(
        (e) =>
          e.type === 'Warning' &&
          e.involvedObject.name === 'keep' &&
          (e.message ?? '').includes('deletion_protection.enabled'),
      );
      return found.length > 0 ? found : undefined;
    });
    assert.equal(events[0]?.reason, 'FailedDeployModel');

    // WHEN the attribute is switched off and the group reconciled again
    await protect(false);
    await reconciler.reconcile(`${ns}/keep`, signal);
    // THEN nothing of the group is left, and the Ingress is gone
    assert.deepEqual(await inAws(), { lbs: 0, listeners: 0, rules: 0, tgs: 0 });
    await eventually('Ingress gone', async () => {
      const list = await net.listNamespacedIngress({ namespace: ns });
      return list.items.length === 0 ? true : undefined;
    });
  });
});
