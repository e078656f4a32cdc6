/**
 * `multi-cluster-target-group` on an Ingress, live: another cluster's target in our
 * target group survives both the full reconcile and the targets-only path, and a
 * restarted reconciler (no memory) still deregisters only what this cluster registered.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DiscoveryV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';

import { Reconciler } from '../../../controller/reconciler.ts';
import { isMutating } from '../../../pkg/aws/index.ts';
import { ownedTargetsNameOfTargetGroup } from '../../../pkg/k8s/index.ts';
import { useTestEnv } from '../../env/testenv.ts';
import { endpointSlice, eventually, ingress } from './helpers.ts';
import { startInProcessWorld, type InProcessWorld } from './in-process-world.ts';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

describe('multi-cluster-target-group', () => {
  const testEnv = useTestEnv();
  let harness: InProcessWorld;
  let discovery: DiscoveryV1Api;
  let ns: string;
  const signal = new AbortController().signal;

  before(async () => {
    const env = testEnv.env;
    harness = await startInProcessWorld(env, 'mc', ['pods']);
    ({ ns } = harness);
    discovery = env.kc.makeApiClient(DiscoveryV1Api);
    await discovery.createNamespacedEndpointSlice({
      namespace: ns,
      body: endpointSlice(ns, 'pods', ['10.0.128.30', '10.0.128.31']),
    });
    await harness.net.createNamespacedIngress({
      namespace: ns,
      body: ingress(ns, 'shared', {
        services: ['pods'],
        annotations: {
          'alb.ingress.kubernetes.io/target-type': 'ip',
          'alb.ingress.kubernetes.io/multi-cluster-target-group': 'true',
        },
      }),
    });
    await eventually('cached', () =>
      harness.caches.ingresses.get('shared', ns) !== undefined &&
      harness.caches.endpointSlicesByService().get(`${ns}/pods`)?.length === 1
        ? true
        : undefined,
    );
  });

  after(async () => {
    await harness.stop();
  });

  async function targets(arn: string): Promise<string[]> {
    const out = await harness.aws.elbv2.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: arn }),
    );
    return (out.TargetHealthDescriptions ?? [])
      .filter((d) => d.TargetHealth?.State !== 'draining')
      .map((d) => `${d.Target?.Id ?? ''}:${String(d.Target?.Port)}`)
      .sort();
  }

  async function scale(ips: readonly string[]): Promise<void> {
    await discovery.patchNamespacedEndpointSlice(
      {
        name: 'pods-slice',
        namespace: ns,
        body: { endpoints: endpointSlice(ns, 'pods', ips).endpoints },
      },
      mergePatch,
    );
    await eventually('slice cached', () => {
      const have = (harness.caches.endpointSlicesByService().get(`${ns}/pods`) ?? [])
        .flatMap((s) => (s.endpoints ?? []).flatMap((e) => e.addresses))
        .sort();
      return JSON.stringify(have) === JSON.stringify([...ips].sort()) ? true : undefined;
    });
  }

  it('never deregisters a target another cluster registered', async () => {
    const { aws, reconciler } = harness;
    // GIVEN the group reconciled, and another cluster's target registered in its group
    await reconciler.reconcile(`${ns}/shared`, signal);
    const tg = (await aws.elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups?.[0];
    const arn = tg?.TargetGroupArn ?? '';
    await aws.elbv2.send(
      new RegisterTargetsCommand({
        TargetGroupArn: arn,
        Targets: [{ Id: '10.0.99.7', Port: 8080 }],
      }),
    );
    // WHEN reconciled in full again, THEN the foreign target stays and nothing is written
    aws.calls.reset();
    const steady = await reconciler.reconcile(`${ns}/shared`, signal);
    assert.equal(steady.planned, 0);
    assert.deepEqual(
      aws.calls.snapshot().filter((c) => isMutating(c.operation)),
      [],
    );
    assert.deepEqual(await targets(arn), [
      '10.0.128.30:8080',
      '10.0.128.31:8080',
      '10.0.99.7:8080',
    ]);
    // AND the record lists exactly our targets
    const cm = await harness.core.readNamespacedConfigMap({
      namespace: ns,
      name: ownedTargetsNameOfTargetGroup(tg?.TargetGroupName ?? ''),
    });
    assert.deepEqual(JSON.parse(cm.data?.targets ?? '[]'), [
      '10.0.128.30:8080',
      '10.0.128.31:8080',
    ]);

    // WHEN our pods scale down and the targets-only path runs
    await scale(['10.0.128.31']);
    const report = await reconciler.reconcile(`targets:${ns}/shared`, signal);
    assert.equal(report.kind, 'targets');
    // THEN only our gone target left
    assert.deepEqual(await targets(arn), ['10.0.128.31:8080', '10.0.99.7:8080']);

    // WHEN a restarted controller (a fresh reconciler, no memory) reconciles after a roll
    await scale(['10.0.128.32']);
    const fresh = new Reconciler({
      caches: harness.caches,
      mapper: harness.mapper,
      networking: harness.net,
      core: harness.core,
      clients: aws,
      vpcId: testEnv.env.world.vpcId,
      translate: harness.translate,
      watchNamespace: ns,
    });
    await fresh.reconcile(`${ns}/shared`, signal);
    // THEN it too deregisters only ours
    assert.deepEqual(await targets(arn), ['10.0.128.32:8080', '10.0.99.7:8080']);
  });
});
