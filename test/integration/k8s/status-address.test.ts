/**
 * Status address live: AWS (and moto) spell the ALB's DNS name with the case of its name;
 * every member's status carries it lower-cased, written once and not patched again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { NetworkingV1Api } from '@kubernetes/client-node';
import type { AwsClients } from '../../../pkg/aws/index.ts';
import type { ClusterCaches } from '../../../pkg/k8s/index.ts';
import type { Reconciler } from '../../../controller/reconciler.ts';
import { useTestEnv } from '../../env/testenv.ts';
import { eventually, ingress } from './helpers.ts';
import { startInProcessWorld, type InProcessWorld } from './in-process-world.ts';

const A = 'alb.ingress.kubernetes.io/';

describe('status address live', () => {
  const testEnv = useTestEnv();
  let ns: string;
  let net: NetworkingV1Api;
  let aws: AwsClients;
  let caches: ClusterCaches;
  let reconciler: Reconciler;
  let harness: InProcessWorld;
  const signal = new AbortController().signal;

  before(async () => {
    harness = await startInProcessWorld(testEnv.env, 'status', ['web']);
    ({ ns, net, aws, caches, reconciler } = harness);
    const group = { [`${A}group.name`]: ns, [`${A}load-balancer-name`]: 'Shop-Mixed-Case' };
    for (const [name, path] of [
      ['one', '/one'],
      ['two', '/two'],
    ] as const) {
      await net.createNamespacedIngress({
        namespace: ns,
        body: ingress(ns, name, { services: ['web'], path, annotations: group }),
      });
      await eventually(`cache of ${name}`, () =>
        caches.ingresses.get(name, ns) === undefined ? undefined : true,
      );
    }
  });
  after(async () => {
    await harness.stop();
  });

  async function hostnames(): Promise<(string | undefined)[]> {
    const out: (string | undefined)[] = [];
    for (const name of ['one', 'two']) {
      const live = await net.readNamespacedIngress({ name, namespace: ns });
      out.push(live.status?.loadBalancer?.ingress?.[0]?.hostname);
    }
    return out;
  }

  it('writes the DNS name lower-cased on every member', async () => {
    // GIVEN a group of two Ingresses whose ALB is named with capitals
    // WHEN reconciled
    const report = await reconciler.reconcile(ns, signal);
    // THEN AWS spells the DNS name with capitals
    const lb = (await aws.elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers?.[0];
    const dns = lb?.DNSName ?? '';
    assert.match(dns, /[A-Z]/, `moto's DNS name: ${dns}`);
    // AND both members' status carries it lower-cased
    assert.equal(report.dnsName, dns.toLowerCase());
    assert.deepEqual(await hostnames(), [dns.toLowerCase(), dns.toLowerCase()]);
    // AND a second pass (verified from the cache of the applied stack) keeps it the same
    const again = await reconciler.reconcile(ns, signal);
    assert.equal(again.dnsName, dns.toLowerCase());
    assert.deepEqual(await hostnames(), [dns.toLowerCase(), dns.toLowerCase()]);
  });
});
