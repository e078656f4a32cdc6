/**
 * The cheap path for EndpointSlice changes: a `targets:` key re-reads only the target
 * groups' registered targets and registers/deregisters the difference — no stack
 * discovery, no other write.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';

import { DiscoveryV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';

import type { AwsClients } from '../../../pkg/aws/index.ts';

import { discoverStack } from '../../../pkg/deploy/index.ts';

import type { ClusterCaches } from '../../../pkg/k8s/index.ts';

import type { Reconciler } from '../../../controller/reconciler.ts';

import { useTestEnv } from '../../env/testenv.ts';

import { endpointSlice, eventually, ingress } from './helpers.ts';
import { startInProcessWorld, type InProcessWorld } from './in-process-world.ts';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

describe('targets-only reconcile', () => {
  const testEnv = useTestEnv();
  let aws: AwsClients;
  let caches: ClusterCaches;
  after(async () => {
    await harness.stop();
  });
  const keys: string[] = [];
  let ns: string;
  let reconciler: Reconciler;
  let discovery: DiscoveryV1Api;
  let harness: InProcessWorld;
  const signal = new AbortController().signal;

  before(async () => {
    const env = testEnv.env;
    harness = await startInProcessWorld(env, 'tg', ['pods'], { enqueue: (k) => keys.push(k) });
    ({ ns, aws, caches, reconciler } = harness);
    const { net } = harness;
    discovery = env.kc.makeApiClient(DiscoveryV1Api);
    await discovery.createNamespacedEndpointSlice({
      namespace: ns,
      body: endpointSlice(ns, 'pods', ['10.0.128.10', '10.0.128.11']),
    });
    await net.createNamespacedIngress({
      namespace: ns,
      body: ingress(ns, 'ipmode', {
        services: ['pods'],
        annotations: { 'alb.ingress.kubernetes.io/target-type': 'ip' },
      }),
    });
    await eventually('cached', () =>
      caches.ingresses.get('ipmode', ns) !== undefined &&
      caches.endpointSlicesByService().get(`${ns}/pods`)?.length === 1
        ? true
        : undefined,
    );
  });

  it('registers and deregisters only the difference when the EndpointSlice scales', async () => {
    // GIVEN the group reconciled in full, and once more in steady state (the target
    // group ARNs are remembered from a reconcile that created none)
    await reconciler.reconcile(`${ns}/ipmode`, signal);
    // (In the emulator pod IPs have no ENI, so the backend rule stays planned and skipped.)
    const again = await reconciler.reconcile(`${ns}/ipmode`, signal);
    assert.ok(!Object.keys(again.byChange).some((k) => k.includes('TargetGroup')));
    keys.length = 0;
    // WHEN the pods roll: one goes, one comes
    await discovery.patchNamespacedEndpointSlice(
      {
        name: 'pods-slice',
        namespace: ns,
        body: { endpoints: endpointSlice(ns, 'pods', ['10.0.128.11', '10.0.128.12']).endpoints },
      },
      mergePatch,
    );
    await eventually('targets key', () =>
      keys.includes(`targets:${ns}/ipmode`) ? true : undefined,
    );
    assert.ok(!keys.includes(`${ns}/ipmode`), 'no full reconcile is asked for');
    aws.calls.reset();
    const report = await reconciler.reconcile(`targets:${ns}/ipmode`, signal);
    // THEN one register and one deregister batch, after one read per target group and
    // one read of the new pod's security groups (a new group would get its backend rule
    // before the pod is registered; see new-node-security-group.test.ts)
    assert.equal(report.kind, 'targets');
    const byOperation = Object.fromEntries(aws.calls.snapshot().map((c) => [c.operation, c.count]));
    assert.deepEqual(byOperation, {
      DescribeNetworkInterfaces: 1,
      DescribeTargetHealth: 1,
      RegisterTargets: 1,
      DeregisterTargets: 1,
    });
    const actual = await discoverStack(
      { clusterName: testEnv.env.clusterName, vpcId: testEnv.env.world.vpcId, clients: aws },
      `${ns}/ipmode`,
    );
    const arn = actual?.targetGroups[0]?.arn;
    const health = await aws.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
    assert.deepEqual(
      (health.TargetHealthDescriptions ?? [])
        .filter((d) => d.TargetHealth?.State !== 'draining')
        .map((d) => d.Target?.Id)
        .sort(),
      ['10.0.128.11', '10.0.128.12'],
    );
  });
});
