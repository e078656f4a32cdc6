/**
 * Discovery under a lagging tagging index, against the API server and moto with the
 * emulator's index made to lag (test/env/moto_server.py): what was created in the last
 * minute is not listed by GetResources yet, what was deleted in the last minute still
 * is. AWS's index behaves so for seconds to minutes. Nothing may be created twice,
 * leaked, or fail to be discovered because of it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DeleteTargetGroupCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { NetworkingV1Api } from '@kubernetes/client-node';

import { isMutating } from '../../../pkg/aws/index.ts';
import type { AwsClients } from '../../../pkg/aws/index.ts';
import type { ClusterCaches } from '../../../pkg/k8s/index.ts';
import { TAG_CLUSTER, TAG_RESOURCE, TAG_STACK } from '../../../pkg/naming/index.ts';
import type { Reconciler } from '../../../controller/reconciler.ts';
import { startInProcessReconciler } from '../../env/in-process-reconciler.ts';
import { setTaggingLag } from '../../env/moto.ts';
import { useTestEnv } from '../../env/testenv.ts';

import { eventually, ingress } from './helpers.ts';
import { startInProcessWorld, type InProcessWorld } from './in-process-world.ts';

/** Longer than the whole suite takes: every resource it makes stays unindexed. */
const LAG_SECONDS = 120;

describe('discovery under a lagging tagging index', () => {
  const testEnv = useTestEnv();
  let ns: string;
  let net: NetworkingV1Api;
  let aws: AwsClients;
  let caches: ClusterCaches;
  let reconciler: Reconciler;
  let harness: InProcessWorld;
  /** The name of the ALB the `quick` Ingress was given. */
  let quickLb = '';
  const signal = new AbortController().signal;

  before(async () => {
    harness = await startInProcessWorld(testEnv.env, 'lag', ['web']);
    ({ ns, net, aws, caches, reconciler } = harness);
    await setTaggingLag(testEnv.env.state.awsEndpoint, LAG_SECONDS);
  });
  after(async () => {
    await setTaggingLag(testEnv.env.state.awsEndpoint, 0);
    await harness.stop();
  });

  async function create(name: string): Promise<void> {
    await net.createNamespacedIngress({
      namespace: ns,
      body: ingress(ns, name, { services: ['web'], path: `/${name}` }),
    });
    await eventually(`cache of ${name}`, () => caches.ingresses.get(name, ns));
  }

  async function remove(name: string): Promise<void> {
    await net.deleteNamespacedIngress({ name, namespace: ns });
    await eventually(`deletion of ${name} seen`, () =>
      caches.ingresses.get(name, ns)?.metadata?.deletionTimestamp != null ? true : undefined,
    );
  }

  /** Every load balancer and target group in the emulator, by name. */
  async function inAws(): Promise<{ lbs: string[]; tgs: string[] }> {
    const lbs = (await aws.elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
    const tgs = (await aws.elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
    return {
      lbs: lbs.map((l) => l.LoadBalancerName ?? '').sort(),
      tgs: tgs.map((t) => t.TargetGroupName ?? '').sort(),
    };
  }

  function writes(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of aws.calls.snapshot()) {
      if (isMutating(c.operation)) out[c.operation] = (out[c.operation] ?? 0) + c.count;
    }
    return out;
  }

  it('creates nothing twice when reconciled again before the index lists the new ALB', async () => {
    // GIVEN a new Ingress, reconciled: its ALB and target group are created
    await create('shop');
    const first = await reconciler.reconcile(`${ns}/shop`, signal);
    assert.ok(first.planned > 0);
    const created = await inAws();
    assert.equal(created.lbs.length, 1);
    assert.equal(created.tgs.length, 1);
    // WHEN it is reconciled again at once, while GetResources does not list them yet
    aws.calls.reset();
    const second = await reconciler.reconcile(`${ns}/shop`, signal);
    // THEN nothing is planned or written, and there is still one ALB and one target group
    assert.equal(second.planned, 0);
    assert.deepEqual(writes(), {});
    assert.deepEqual(await inAws(), created);
  });

  it('a restarted controller finds the unindexed ALB by name instead of creating another', async () => {
    // GIVEN the group created a moment ago (not indexed yet), WHEN a new controller
    // process, with nothing remembered, reconciles it
    const fresh = await startInProcessReconciler(testEnv.env, { namespace: ns });
    try {
      const before = await inAws();
      const report = await fresh.reconciler.reconcile(`${ns}/shop`, signal);
      // THEN it adopts what carries our tags: nothing to create, nothing written
      assert.equal(report.planned, 0);
      assert.equal(report.discovery, 'full');
      assert.deepEqual(
        fresh.aws.calls.snapshot().filter((c) => isMutating(c.operation)),
        [],
      );
      assert.deepEqual(await inAws(), before);
    } finally {
      await fresh.stop();
    }
  });

  it('an Ingress deleted right after its ALB was created leaves nothing behind', async () => {
    // GIVEN a second Ingress (its own group), created and reconciled a moment ago
    const before = await inAws();
    await create('quick');
    await reconciler.reconcile(`${ns}/quick`, signal);
    const both = await inAws();
    assert.equal(both.lbs.length, 2);
    quickLb = both.lbs.find((name) => !before.lbs.includes(name)) ?? '';
    // WHEN it is deleted before the index lists its ALB, and its group is reconciled
    await remove('quick');
    const gone = await reconciler.reconcile(`${ns}/quick`, signal);
    // THEN its ALB and target group are deleted: only shop's remain
    assert.ok(gone.planned > 0);
    const left = await inAws();
    assert.equal(left.lbs.length, 1);
    assert.equal(left.tgs.length, 1);
  });

  it('a deleted target group still listed by the index does not fail discovery', async () => {
    // GIVEN a target group tagged into shop's stack, then deleted: GetResources still
    // lists it (as AWS's index does for a while), ELBv2 no longer knows it
    const vpcId = testEnv.env.world.vpcId;
    const made = await aws.elbv2.send(
      new CreateTargetGroupCommand({
        Name: 'leftover',
        VpcId: vpcId,
        Protocol: 'HTTP',
        Port: 80,
        Tags: [
          { Key: TAG_CLUSTER, Value: testEnv.env.clusterName },
          { Key: TAG_STACK, Value: `${ns}/shop` },
          { Key: TAG_RESOURCE, Value: 'tg/leftover' },
        ],
      }),
    );
    await aws.elbv2.send(
      new DeleteTargetGroupCommand({ TargetGroupArn: made.TargetGroups?.[0]?.TargetGroupArn }),
    );
    // WHEN a controller with nothing remembered discovers the group in full
    const fresh = await startInProcessReconciler(testEnv.env, { namespace: ns });
    try {
      const report = await fresh.reconciler.reconcile(`${ns}/shop`, signal);
      // THEN the vanished ARN is dropped: the group is in sync, nothing is written
      assert.equal(report.discovery, 'full');
      assert.equal(report.planned, 0);
    } finally {
      await fresh.stop();
    }
  });

  it('never adopts a load balancer of the desired name that does not carry our tags', async () => {
    // GIVEN an ALB someone else made, untagged, with the name the `quick` Ingress gets
    const subnets = testEnv.env.world.publicSubnetIds;
    await aws.elbv2.send(new CreateLoadBalancerCommand({ Name: quickLb, Subnets: [...subnets] }));
    // WHEN the Ingress is created again and reconciled
    await create('quick');
    await assert.rejects(
      reconciler.reconcile(`${ns}/quick`, signal),
      /does not carry the ownership tags/,
    );
    // THEN nothing is created beside it, and the Ingress says why in a Warning Event
    assert.equal((await inAws()).lbs.filter((n) => n === quickLb).length, 1);
    const events = await harness.core.listNamespacedEvent({ namespace: ns });
    const warning = events.items.find(
      (e) =>
        e.type === 'Warning' &&
        e.involvedObject.name === 'quick' &&
        (e.message ?? '').includes(`load balancer "${quickLb}"`),
    );
    assert.ok(warning, 'a Warning Event names the load balancer');
    assert.match(warning.message ?? '', /albatross\.dev\/cluster=/);
  });
});
