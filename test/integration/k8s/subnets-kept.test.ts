/**
 * Subnets live: discovery places a new ALB (one tagged subnet per AZ) and an existing ALB
 * keeps its subnets when the tagged set changes later (the spec), while the `subnets`
 * annotation still moves it in place. Real API server + moto, in-process reconciler.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DeleteTagsCommand } from '@aws-sdk/client-ec2';
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { NetworkingV1Api } from '@kubernetes/client-node';
import { createAwsClients, isMutating } from '../../../pkg/aws/index.ts';
import type { AwsClients } from '../../../pkg/aws/index.ts';
import type { ClusterCaches } from '../../../pkg/k8s/index.ts';
import type { Reconciler, ReconcileReport } from '../../../controller/reconciler.ts';
import { SubnetCache } from '../../../controller/subnet-cache.ts';
import { testCredentials } from '../../env/aws-clients.ts';
import { useTestEnv } from '../../env/testenv.ts';
import type { TestEnv } from '../../env/testenv.ts';
import { zones } from '../../env/world.ts';
import { eventually, ingress } from './helpers.ts';
import { startInProcessWorld, type InProcessWorld } from './in-process-world.ts';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

describe('subnets of an existing ALB', () => {
  const testEnv = useTestEnv();
  let env: TestEnv;
  let ns: string;
  let net: NetworkingV1Api;
  let aws: AwsClients;
  let own: AwsClients;
  let caches: ClusterCaches;
  let reconciler: Reconciler;
  let harness: InProcessWorld;
  const signal = new AbortController().signal;

  before(async () => {
    env = testEnv.env;
    own = createAwsClients({
      region: env.state.region,
      endpoint: env.state.awsEndpoint,
      credentials: testCredentials,
    });
    harness = await startInProcessWorld(env, 'subnets', ['web'], {
      // No caching: a tag change must reach the very next reconcile.
      reconciler: { subnets: new SubnetCache({ clients: own, vpcId: env.world.vpcId, ttlMs: 0 }) },
    });
    ({ ns, net, aws, caches, reconciler } = harness);
    await net.createNamespacedIngress({
      namespace: ns,
      body: ingress(ns, 'shop', { services: ['web'] }),
    });
    await cached();
  });
  after(async () => {
    await harness.stop();
    own.destroy();
  });

  async function cached(): Promise<void> {
    const live = await net.readNamespacedIngress({ name: 'shop', namespace: ns });
    await eventually('cache of shop', () =>
      caches.ingresses.get('shop', ns)?.metadata?.resourceVersion === live.metadata?.resourceVersion
        ? true
        : undefined,
    );
  }

  async function reconcile(): Promise<{ report: ReconcileReport; writes: string[] }> {
    aws.calls.reset();
    const report = await reconciler.reconcile(`${ns}/shop`, signal);
    const writes = aws.calls
      .snapshot()
      .filter((c) => isMutating(c.operation))
      .map((c) => c.operation);
    await cached();
    return { report, writes };
  }

  async function albSubnets(): Promise<string[]> {
    const lbs = await aws.elbv2.send(new DescribeLoadBalancersCommand({}));
    assert.equal(lbs.LoadBalancers?.length, 1);
    return (lbs.LoadBalancers[0]?.AvailabilityZones ?? []).map((z) => z.SubnetId ?? '').sort();
  }

  it('creates the ALB in the discovered subnets, one per AZ', async () => {
    // GIVEN three private subnets tagged kubernetes.io/role/internal-elb, one per AZ
    // WHEN a new internal Ingress is reconciled
    const first = await reconcile();
    // THEN the ALB is created in exactly those subnets
    assert.ok(first.report.dnsName !== null);
    assert.deepEqual(await albSubnets(), [...env.world.privateSubnetIds].sort());
  });

  it('keeps them when a subnet loses its role tag afterwards: no SetSubnets, empty plan', async () => {
    // GIVEN the ALB exists in three subnets
    const before = await albSubnets();
    // WHEN one of them is untagged, so discovery would now pick only two
    await own.ec2.send(
      new DeleteTagsCommand({
        Resources: [env.world.privateSubnetIds[2] ?? ''],
        Tags: [{ Key: 'kubernetes.io/role/internal-elb' }],
      }),
    );
    const again = await reconcile();
    // THEN nothing is planned or written and the ALB keeps its three subnets
    assert.equal(again.report.planned, 0);
    assert.deepEqual(again.writes, []);
    assert.deepEqual(await albSubnets(), before);
  });

  it('moves the ALB in place when the subnets annotation lists other subnets', async () => {
    // GIVEN the ALB in its three discovered subnets
    const lbBefore = (await aws.elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers?.[0]
      ?.LoadBalancerArn;
    // WHEN the Ingress lists two subnets explicitly (one by ID, one by Name tag)
    const [a, b] = env.world.privateSubnetIds;
    await net.patchNamespacedIngress(
      {
        name: 'shop',
        namespace: ns,
        body: {
          metadata: {
            annotations: {
              'alb.ingress.kubernetes.io/subnets': `${a ?? ''},${env.clusterName}-private-${zones[1]}`,
            },
          },
        },
      },
      mergePatch,
    );
    await cached();
    const moved = await reconcile();
    // THEN the same ALB is moved with one SetSubnets
    assert.deepEqual(moved.writes, ['SetSubnets']);
    assert.deepEqual(await albSubnets(), [a ?? '', b ?? ''].sort());
    const lbAfter = (await aws.elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers?.[0]
      ?.LoadBalancerArn;
    assert.equal(lbAfter, lbBefore);
    // AND the next reconcile writes nothing
    const steady = await reconcile();
    assert.equal(steady.report.planned, 0);
    assert.deepEqual(steady.writes, []);
  });
});
