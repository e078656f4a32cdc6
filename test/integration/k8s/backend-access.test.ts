/**
 * Cluster-level backend rules, end to end in-process: real API server, real caches, the
 * reconciler against moto (which, like AWS, holds at most 60 inbound rules per group).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { DescribeSecurityGroupRulesCommand } from '@aws-sdk/client-ec2';

import type { CoreV1Api, NetworkingV1Api } from '@kubernetes/client-node';

import { DiscoveryV1Api } from '@kubernetes/client-node';

import type { AwsClients } from '../../../pkg/aws/index.ts';

import type { ClusterCaches } from '../../../pkg/k8s/index.ts';

import type { Reconciler } from '../../../controller/reconciler.ts';

import { allocatePodIps } from '../../env/pod-ips.ts';

import {
  startInProcessReconciler,
  type InProcessReconciler,
} from '../../env/in-process-reconciler.ts';

import { useTestEnv } from '../../env/testenv.ts';

import type { TestEnv } from '../../env/testenv.ts';

import { endpointSlice, eventually, ingress, nodePortService } from './helpers.ts';

const COUNT = 40;

describe('backend rules are cluster-level', () => {
  // Revoking waits until every group of the cluster is known: Ingresses left by other
  // suites in a shared API server would (rightly) hold it back.
  const testEnv = useTestEnv({ isolated: true });
  let env: TestEnv;
  let ns: string;
  let core: CoreV1Api;
  let net: NetworkingV1Api;
  let aws: AwsClients;
  let caches: ClusterCaches;
  let reconciler: Reconciler;
  let harness: InProcessReconciler;
  const signal = new AbortController().signal;

  /** Our rules on the node group, as `from-to`. */
  async function nodeRules(): Promise<string[]> {
    const found = await aws.ec2.send(
      new DescribeSecurityGroupRulesCommand({
        Filters: [{ Name: 'group-id', Values: [env.world.nodeSecurityGroupId] }],
      }),
    );
    return (found.SecurityGroupRules ?? [])
      .filter((r) => r.Tags?.some((t) => t.Key === 'albatross.dev/cluster') === true)
      .map((r) => `${String(r.FromPort)}-${String(r.ToPort)}`)
      .sort();
  }

  before(async () => {
    env = testEnv.env;
    await env.resetAws();
    ns = await env.freshNamespace('backend');
    harness = await startInProcessReconciler(env);
    ({ core, net, aws, caches, reconciler } = harness);
  });
  after(async () => {
    await harness.stop();
  });

  const names = Array.from({ length: COUNT }, (_, i) => `app${String(i)}`);

  it(`GIVEN ${String(COUNT)} instance-mode Ingresses with 2 NodePort Services each WHEN reconciled THEN all converge with ONE rule on the node group`, async () => {
    for (const name of names) {
      for (const svc of [`${name}-a`, `${name}-b`]) {
        await core.createNamespacedService({ namespace: ns, body: nodePortService(ns, svc) });
      }
      await net.createNamespacedIngress({
        namespace: ns,
        body: ingress(ns, name, { services: [`${name}-a`, `${name}-b`] }),
      });
    }
    await eventually('cached', () =>
      names.every((n) => caches.ingresses.get(n, ns) !== undefined) ? true : undefined,
    );
    for (const name of names) {
      const report = await reconciler.reconcile(`${ns}/${name}`, signal);
      assert.ok(report.dnsName !== null, name);
    }
    assert.deepEqual(await nodeRules(), ['30000-32767']);
    const again = await reconciler.reconcile(`${ns}/${names[0] ?? ''}`, signal);
    assert.equal(again.planned, 0);
  });

  it('GIVEN other groups still need the rule WHEN one group is deleted THEN the rule stays', async () => {
    await net.deleteNamespacedIngress({ namespace: ns, name: names[0] ?? '' });
    await eventually('deletion seen', () =>
      caches.ingresses.get(names[0] ?? '', ns)?.metadata?.deletionTimestamp !== undefined
        ? true
        : undefined,
    );
    await reconciler.reconcile(`${ns}/${names[0] ?? ''}`, signal);
    assert.deepEqual(await nodeRules(), ['30000-32767']);
  });

  it('GIVEN ip-mode pods on two ports WHEN reconciled THEN each port gets its rule, and deleting every group revokes them all', async () => {
    const discovery = env.kc.makeApiClient(DiscoveryV1Api);
    const ips = await allocatePodIps(env, 2);
    for (const [i, port] of [8080, 9090].entries()) {
      const svc = `pods${String(i)}`;
      await core.createNamespacedService({ namespace: ns, body: nodePortService(ns, svc) });
      const slice = endpointSlice(ns, svc, [ips[i] ?? '']);
      slice.ports = [{ name: 'http', port, protocol: 'TCP' }];
      await discovery.createNamespacedEndpointSlice({ namespace: ns, body: slice });
      await net.createNamespacedIngress({
        namespace: ns,
        body: ingress(ns, `ip${String(i)}`, {
          services: [svc],
          annotations: { 'alb.ingress.kubernetes.io/target-type': 'ip' },
        }),
      });
    }
    await eventually('cached', () =>
      ['pods0', 'pods1'].every(
        (s) => caches.endpointSlicesByService().get(`${ns}/${s}`)?.length === 1,
      ) && caches.ingresses.get('ip1', ns) !== undefined
        ? true
        : undefined,
    );
    for (const name of ['ip0', 'ip1']) await reconciler.reconcile(`${ns}/${name}`, signal);
    assert.deepEqual(await nodeRules(), ['30000-32767', '8080-8080', '9090-9090']);

    // WHEN every group is deleted THEN no rule of ours is left
    const all = [...names.slice(1), 'ip0', 'ip1'];
    for (const name of all) await net.deleteNamespacedIngress({ namespace: ns, name });
    await eventually('deletions seen', () =>
      all.every((n) => caches.ingresses.get(n, ns)?.metadata?.deletionTimestamp !== undefined)
        ? true
        : undefined,
    );
    for (const name of all) await reconciler.reconcile(`${ns}/${name}`, signal);
    assert.deepEqual(await nodeRules(), []);
  });
});
