/**
 * IngressClassParams `subnets.tags` live: the real API server (with the chart's CRD) and
 * the emulator. The params select two subnets of the test VPC by tag; the ALB is created
 * in exactly those, not in the subnets the Ingress's own annotation lists nor in a
 * tagged subnet that belongs to another cluster; a second reconcile writes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateSubnetCommand } from '@aws-sdk/client-ec2';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { installCrds } from '../../env/crds.ts';
import {
  startInProcessReconciler,
  type InProcessReconciler,
} from '../../env/in-process-reconciler.ts';
import { useTestEnv } from '../../env/testenv.ts';
import type { TestEnv } from '../../env/testenv.ts';
import { eventually, ingress, nodePortService, paramsCrdServing } from './helpers.ts';

const PARAMS = { group: 'elbv2.k8s.aws', version: 'v1beta1', plural: 'ingressclassparams' };

describe('IngressClassParams subnets.tags live', () => {
  const testEnv = useTestEnv();
  let env: TestEnv;
  let ns: string;
  let harness: InProcessReconciler;
  const selected: string[] = [];
  const signal = new AbortController().signal;

  async function subnet(cidr: string, zone: string, tags: Record<string, string>) {
    const out = await env.aws.ec2.send(
      new CreateSubnetCommand({
        VpcId: env.world.vpcId,
        CidrBlock: cidr,
        AvailabilityZone: zone,
        TagSpecifications: [
          {
            ResourceType: 'subnet',
            Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
          },
        ],
      }),
    );
    return out.Subnet?.SubnetId ?? '';
  }

  before(async () => {
    env = testEnv.env;
    await installCrds(env);
    await env.resetAws();
    ns = await env.freshNamespace('subnet-tags');
    // Two subnets the params select (different values of one key, two AZs), a third
    // carrying a selected value but another cluster's tag, and one with an unselected value.
    selected.push(await subnet('10.0.210.0/24', 'us-east-1a', { tier: 'edge' }));
    selected.push(await subnet('10.0.211.0/24', 'us-east-1b', { tier: 'web' }));
    selected.sort();
    await subnet('10.0.212.0/24', 'us-east-1c', {
      tier: 'edge',
      'kubernetes.io/cluster/other': 'owned',
    });
    await subnet('10.0.213.0/24', 'us-east-1c', { tier: 'db' });

    const custom = env.kc.makeApiClient(CustomObjectsApi);
    await paramsCrdServing(custom);
    harness = await startInProcessReconciler(env, { namespace: ns });
    await custom.createClusterCustomObject({
      ...PARAMS,
      body: {
        apiVersion: 'elbv2.k8s.aws/v1beta1',
        kind: 'IngressClassParams',
        metadata: { name: ns },
        spec: { subnets: { tags: { tier: ['edge', 'web'] } } },
      },
    });
    await harness.net.createIngressClass({
      body: {
        metadata: { name: ns },
        spec: {
          controller: 'albatross.dev/alb',
          parameters: { apiGroup: 'elbv2.k8s.aws', kind: 'IngressClassParams', name: ns },
        },
      },
    });
    await harness.core.createNamespacedService({ namespace: ns, body: nodePortService(ns, 'web') });
  });
  after(async () => {
    await harness.stop();
  });

  it('GIVEN params with subnets.tags THEN the ALB uses exactly the two tagged subnets, and a second reconcile writes nothing', async () => {
    const body = ingress(ns, 'web', {
      services: ['web'],
      // Overridden by the params: the ALB must not land in these
      annotations: { 'alb.ingress.kubernetes.io/subnets': env.world.privateSubnetIds.join(',') },
    });
    if (body.spec !== undefined) body.spec.ingressClassName = ns;
    const live = await harness.net.createNamespacedIngress({ namespace: ns, body });
    await eventually('the class, params and Ingress cached', () =>
      harness.caches.ingresses.get('web', ns)?.metadata?.resourceVersion ===
        live.metadata?.resourceVersion && harness.caches.ingressClasses.get(ns) !== undefined
        ? true
        : undefined,
    );
    const group = `${ns}/web`;
    const report = await eventually('the ALB applied', async () => {
      const r = await harness.reconciler.reconcile(group, signal);
      return r.dnsName !== null && r.dnsName !== '' ? r : undefined;
    });
    assert.deepEqual(report.frozen, []);

    const lbs = await env.aws.elbv2.send(new DescribeLoadBalancersCommand({}));
    const lb = (lbs.LoadBalancers ?? []).find((l) => l.DNSName?.toLowerCase() === report.dnsName);
    assert.ok(lb, 'the ALB exists');
    const subnets = (lb.AvailabilityZones ?? []).map((az) => az.SubnetId ?? '').sort();
    assert.deepEqual(subnets, selected);

    harness.aws.calls.reset();
    const again = await harness.reconciler.reconcile(group, signal);
    assert.equal(again.planned, 0, 'a second reconcile plans nothing');
    assert.equal(harness.aws.calls.mutatingCalls(), 0, 'and makes no mutating AWS call');
  });
});
