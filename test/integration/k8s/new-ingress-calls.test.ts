/**
 * The AWS calls a new Ingress costs, against the API server and moto (issue 4's goal:
 * ≤ 20 per new Ingress, reads included): the reconcile that creates its stack, and the
 * next one, which must plan nothing and only verify what the apply left.
 *
 * Counted in a cluster already serving one Ingress, as in a fleet: the shared backend
 * security group, the subnets and the cluster-level backend rules are set up once per
 * cluster, not once per Ingress.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { NetworkingV1Api } from '@kubernetes/client-node';

import { isMutating } from '../../../pkg/aws/index.ts';
import type { AwsClients } from '../../../pkg/aws/index.ts';

import type { ClusterCaches } from '../../../pkg/k8s/index.ts';

import type { Reconciler } from '../../../controller/reconciler.ts';

import type { ReconcileReport } from '../../../controller/reconciler.ts';

import { useTestEnv } from '../../env/testenv.ts';

import { eventually, ingress } from './helpers.ts';
import { startInProcessWorld, type InProcessWorld } from './in-process-world.ts';

describe('AWS calls of a new Ingress', () => {
  const testEnv = useTestEnv();
  let ns: string;
  let net: NetworkingV1Api;
  let aws: AwsClients;
  let caches: ClusterCaches;
  let reconciler: Reconciler;
  let harness: InProcessWorld;
  const signal = new AbortController().signal;

  before(async () => {
    harness = await startInProcessWorld(testEnv.env, 'new-calls', ['web', 'api', 'home', 'blog']);
    ({ ns, net, aws, caches, reconciler } = harness);
    // The cluster already serves one Ingress.
    await create('home', ['home', 'blog']);
    await reconciler.reconcile(`${ns}/home`, signal);
  });
  after(async () => {
    await harness.stop();
  });

  async function create(name: string, services: readonly string[]): Promise<void> {
    await net.createNamespacedIngress({
      namespace: ns,
      body: ingress(ns, name, { services, path: `/${name}` }),
    });
    await eventually(`cache of ${name}`, () => caches.ingresses.get(name, ns));
  }

  async function reconcile(group: string): Promise<{
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
    return { report, reads, writes };
  }

  const total = (counts: Record<string, number>): number =>
    Object.values(counts).reduce((a, b) => a + b, 0);

  it('creates and confirms a 2-path, 2-Service instance-mode Ingress in at most 20 calls', async () => {
    // GIVEN a new Ingress routing 2 paths to 2 NodePort Services
    await create('shop', ['web', 'api']);
    // WHEN it is reconciled, then reconciled again
    const first = await reconcile(`${ns}/shop`);
    const second = await reconcile(`${ns}/shop`);
    // THEN the first creates its stack, the second plans nothing and only verifies
    assert.ok(first.report.dnsName !== null);
    assert.equal(second.report.planned, 0);
    assert.equal(second.report.discovery, 'verified');
    assert.deepEqual(second.writes, {});
    // AND together they stay within the budget, reads included
    const calls = total(first.reads) + total(first.writes) + total(second.reads);
    const detail = JSON.stringify({
      first: { ...first.reads, ...first.writes },
      second: second.reads,
    });
    assert.ok(calls <= 20, `${String(calls)} calls: ${detail}`);
    console.log(`new Ingress: ${String(calls)} AWS calls ${detail}`);
  });
});
