/**
 * `target-control-port.<svc>.<port>` live: the target group is created with the port
 * (moto keeps it through test/env/moto_server.py), a steady-state reconcile writes
 * nothing, and a changed port replaces the target group (AWS sets it only at creation).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { DescribeTargetGroupsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { PatchStrategy, setHeaderOptions, type NetworkingV1Api } from '@kubernetes/client-node';

import type { Reconciler } from '../../../controller/reconciler.ts';
import { isMutating, type AwsClients } from '../../../pkg/aws/index.ts';
import type { ClusterCaches } from '../../../pkg/k8s/index.ts';
import { useTestEnv } from '../../env/testenv.ts';
import { eventually, ingress } from './helpers.ts';
import { startInProcessWorld, type InProcessWorld } from './in-process-world.ts';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const ANNOTATION = 'alb.ingress.kubernetes.io/target-control-port.web.80';

describe('target-control-port', () => {
  const testEnv = useTestEnv();
  let harness: InProcessWorld;
  let net: NetworkingV1Api;
  let aws: AwsClients;
  let caches: ClusterCaches;
  let reconciler: Reconciler;
  let ns: string;
  const signal = new AbortController().signal;

  before(async () => {
    harness = await startInProcessWorld(testEnv.env, 'tcp', ['web']);
    ({ ns, net, aws, caches, reconciler } = harness);
    await net.createNamespacedIngress({
      namespace: ns,
      body: ingress(ns, 'optim', { services: ['web'], annotations: { [ANNOTATION]: '3000' } }),
    });
  });

  after(async () => {
    await harness.stop();
  });

  async function cached(): Promise<void> {
    const live = await net.readNamespacedIngress({ name: 'optim', namespace: ns });
    await eventually('cache of optim', () =>
      caches.ingresses.get('optim', ns)?.metadata?.resourceVersion ===
      live.metadata?.resourceVersion
        ? true
        : undefined,
    );
  }

  async function controlPorts(): Promise<(number | undefined)[]> {
    const out = await aws.elbv2.send(new DescribeTargetGroupsCommand({}));
    return (out.TargetGroups ?? []).map((tg) => tg.TargetControlPort);
  }

  it('creates the target group with the port, keeps it in steady state, replaces it on change', async () => {
    // GIVEN an Ingress asking for a target control port on web:80
    await cached();
    await reconciler.reconcile(`${ns}/optim`, signal);
    // THEN its target group carries it
    assert.deepEqual(await controlPorts(), [3000]);
    // AND a second reconcile plans nothing and writes nothing
    aws.calls.reset();
    const again = await reconciler.reconcile(`${ns}/optim`, signal);
    assert.equal(again.planned, 0);
    assert.deepEqual(
      aws.calls.snapshot().filter((c) => isMutating(c.operation)),
      [],
    );
    // WHEN the port changes
    await net.patchNamespacedIngress(
      {
        name: 'optim',
        namespace: ns,
        body: { metadata: { annotations: { [ANNOTATION]: '3001' } } },
      },
      mergePatch,
    );
    await cached();
    const changed = await reconciler.reconcile(`${ns}/optim`, signal);
    // THEN the target group is replaced by one with the new port, the old one deleted
    assert.ok(changed.planned > 0);
    assert.deepEqual(await controlPorts(), [3001]);
  });
});
