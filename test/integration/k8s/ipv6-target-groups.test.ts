/**
 * IPv6 Services live (issue 15, item 9): on a dualstack ALB, an IPv6 Service's target
 * group is created with IpAddressType ipv6 and its IPv6 endpoints registered, and a
 * second reconcile writes nothing; on an ipv4 ALB the Ingress is frozen with a Warning
 * naming the Service, and nothing of it is created.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { CoreV1Api, DiscoveryV1Api, NetworkingV1Api } from '@kubernetes/client-node';
import { DiscoveryV1Api as Discovery } from '@kubernetes/client-node';

import type { Reconciler } from '../../../controller/reconciler.ts';
import { isMutating, type AwsClients } from '../../../pkg/aws/index.ts';
import type { ClusterCaches } from '../../../pkg/k8s/index.ts';
import { useTestEnv } from '../../env/testenv.ts';
import { eventually, ingress } from './helpers.ts';
import { startInProcessWorld, type InProcessWorld } from './in-process-world.ts';

const A = 'alb.ingress.kubernetes.io/';

describe('IPv6 Services', () => {
  const testEnv = useTestEnv();
  let harness: InProcessWorld;
  let net: NetworkingV1Api;
  let core: CoreV1Api;
  let discovery: DiscoveryV1Api;
  let aws: AwsClients;
  let caches: ClusterCaches;
  let reconciler: Reconciler;
  let ns: string;
  const signal = new AbortController().signal;

  before(async () => {
    harness = await startInProcessWorld(testEnv.env, 'ipv6', []);
    ({ ns, net, core, aws, caches, reconciler } = harness);
    discovery = testEnv.env.kc.makeApiClient(Discovery);
    // An IPv6 Service: headless and selector-less, so the single-stack IPv4 test API
    // server accepts the family; its endpoints are written here, as a controller would.
    await core.createNamespacedService({
      namespace: ns,
      body: {
        metadata: { name: 'six', namespace: ns },
        spec: {
          clusterIP: 'None',
          ipFamilies: ['IPv6'],
          ipFamilyPolicy: 'SingleStack',
          ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
        },
      },
    });
    await discovery.createNamespacedEndpointSlice({
      namespace: ns,
      body: {
        metadata: {
          name: 'six-v6',
          namespace: ns,
          labels: { 'kubernetes.io/service-name': 'six' },
        },
        addressType: 'IPv6',
        endpoints: ['2600:1f18::a', '2600:1f18::b'].map((a) => ({
          addresses: [a],
          conditions: { ready: true },
        })),
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    });
  });
  after(async () => {
    await harness.stop();
  });

  it('gives an IPv6 Service an ipv6 target group with its IPv6 targets on a dualstack ALB', async () => {
    // GIVEN an ip-mode Ingress on a dualstack ALB routing to the IPv6 Service
    await net.createNamespacedIngress({
      namespace: ns,
      body: ingress(ns, 'dual', {
        services: ['six'],
        annotations: { [`${A}target-type`]: 'ip', [`${A}ip-address-type`]: 'dualstack' },
      }),
    });
    await eventually('cache of dual', () => caches.ingresses.get('dual', ns));
    await eventually('slice cached', () =>
      (caches.endpointSlicesByService().get(`${ns}/six`) ?? []).length > 0 ? true : undefined,
    );
    // WHEN it is reconciled
    const report = await reconciler.reconcile(`${ns}/dual`, signal);
    // THEN the target group is ipv6 and holds the IPv6 endpoints
    assert.deepEqual(report.frozen, []);
    const tgs = (await aws.elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
    assert.deepEqual(
      tgs.map((tg) => [tg.TargetType, tg.IpAddressType]),
      [['ip', 'ipv6']],
    );
    const health = await aws.elbv2.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: tgs[0]?.TargetGroupArn }),
    );
    assert.deepEqual((health.TargetHealthDescriptions ?? []).map((d) => d.Target?.Id).sort(), [
      '2600:1f18::a',
      '2600:1f18::b',
    ]);
    // AND a second reconcile plans nothing and writes nothing
    aws.calls.reset();
    const again = await reconciler.reconcile(`${ns}/dual`, signal);
    assert.equal(again.planned, 0);
    assert.deepEqual(
      aws.calls.snapshot().filter((c) => isMutating(c.operation)),
      [],
    );
  });

  it('freezes an Ingress that routes to an IPv6 Service on an ipv4 ALB, naming the Service', async () => {
    // GIVEN an ip-mode Ingress of its own group on an ipv4 ALB, routing to the IPv6 Service
    await net.createNamespacedIngress({
      namespace: ns,
      body: ingress(ns, 'four', { services: ['six'], annotations: { [`${A}target-type`]: 'ip' } }),
    });
    await eventually('cache of four', () => caches.ingresses.get('four', ns));
    const lbsBefore = (await aws.elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers;
    // WHEN it is reconciled
    const report = await reconciler.reconcile(`${ns}/four`, signal);
    // THEN it is frozen, nothing is created for it
    assert.deepEqual(report.frozen, [`${ns}/four`]);
    const lbsAfter = (await aws.elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers;
    assert.equal(lbsAfter?.length, lbsBefore?.length);
    // AND a Warning names the Service and the annotation to change
    const warning = await eventually('the Warning', async () => {
      const list = await core.listNamespacedEvent({ namespace: ns });
      return list.items.find(
        (e) =>
          e.type === 'Warning' &&
          e.involvedObject.name === 'four' &&
          (e.message ?? '').includes(`Service ${ns}/six is IPv6`),
      );
    });
    assert.match(warning.message ?? '', /ip-address-type/);
  });
});
