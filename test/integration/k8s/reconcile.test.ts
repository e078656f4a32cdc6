/**
 * The reconciler end to end, in-process: real API server, real caches, real pkg/deploy
 * against the moto emulator. Each test checks the state of the world (the emulator, the
 * Ingress status and Events) and that a second reconcile changes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  DescribeListenersCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { V1Ingress, CoreV1Api, NetworkingV1Api } from '@kubernetes/client-node';
import type { AwsClients } from '../../../pkg/aws/index.ts';
import type { ClusterCaches } from '../../../pkg/k8s/index.ts';
import type { Reconciler, ReconcileReport } from '../../../controller/reconciler.ts';
import { useTestEnv } from '../../env/testenv.ts';
import type { TestEnv } from '../../env/testenv.ts';
import { eventually, ingress } from './helpers.ts';
import { startInProcessWorld, type InProcessWorld } from './in-process-world.ts';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const FINALIZER = 'albatross.dev/resources';

describe('reconcile end to end', () => {
  const testEnv = useTestEnv();
  let env: TestEnv;
  let ns: string;
  let core: CoreV1Api;
  let net: NetworkingV1Api;
  let aws: AwsClients;
  let caches: ClusterCaches;
  let reconciler: Reconciler;
  let harness: InProcessWorld;
  const signal = new AbortController().signal;

  before(async () => {
    env = testEnv.env;
    harness = await startInProcessWorld(env, 'e2e', ['web', 'api', 'admin']);
    ({ ns, core, net, aws, caches, reconciler } = harness);
  });
  after(async () => {
    await harness.stop();
  });

  /** Waits until the cache holds the version of the Ingress the API server has now. */
  async function cached(name: string): Promise<V1Ingress> {
    const live = await net.readNamespacedIngress({ name, namespace: ns });
    return eventually(`cache of ${name}`, () => {
      const c = caches.ingresses.get(name, ns);
      return c?.metadata?.resourceVersion === live.metadata?.resourceVersion ? c : undefined;
    });
  }

  async function gone(name: string): Promise<void> {
    await eventually(`${name} gone from cache`, () =>
      caches.ingresses.get(name, ns) === undefined ? true : undefined,
    );
  }

  async function reconcile(group: string): Promise<ReconcileReport> {
    const report = await reconciler.reconcile(group, signal);
    // Let our own writes (finalizer, status) reach the cache before the next step reads it.
    for (const ingressName of caches.ingressList().map((i) => i.metadata?.name ?? '')) {
      await cached(ingressName);
    }
    return report;
  }

  async function ours(): Promise<{ lbs: number; tgs: number }> {
    const lbs = await aws.elbv2.send(new DescribeLoadBalancersCommand({}));
    const tgs = await aws.elbv2.send(new DescribeTargetGroupsCommand({}));
    const named = (n: string | undefined) => n?.startsWith('foreign') !== true;
    return {
      lbs: (lbs.LoadBalancers ?? []).filter((l) => named(l.LoadBalancerName)).length,
      tgs: (tgs.TargetGroups ?? []).filter((t) => named(t.TargetGroupName)).length,
    };
  }

  it('creates ALB, listener, rule, target group and targets, sets the status, then is steady', async () => {
    // GIVEN a foreign ALB and target group that are not ours
    await aws.elbv2.send(
      new CreateLoadBalancerCommand({
        Name: 'foreign-web',
        Subnets: [...env.world.privateSubnetIds],
        Scheme: 'internal',
      }),
    );
    await aws.elbv2.send(
      new CreateTargetGroupCommand({
        Name: 'foreign-web-tg',
        Protocol: 'HTTP',
        Port: 80,
        VpcId: env.world.vpcId,
      }),
    );
    // WHEN an Ingress is created and its group reconciled
    await net.createNamespacedIngress({
      namespace: ns,
      body: ingress(ns, 'shop', { services: ['web'], path: '/shop' }),
    });
    await cached('shop');
    const first = await reconcile(`${ns}/shop`);
    // THEN everything exists in the emulator and the status shows the DNS name
    assert.ok(first.dnsName !== null, 'an address');
    const lbs = await aws.elbv2.send(new DescribeLoadBalancersCommand({}));
    const lb = (lbs.LoadBalancers ?? []).find((l) => l.DNSName?.toLowerCase() === first.dnsName);
    assert.ok(lb?.LoadBalancerArn !== undefined, 'the ALB exists');
    const listeners = await aws.elbv2.send(
      new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }),
    );
    assert.deepEqual(
      (listeners.Listeners ?? []).map((l) => l.Port),
      [80],
    );
    const rules = await aws.elbv2.send(
      new DescribeRulesCommand({ ListenerArn: listeners.Listeners?.[0]?.ListenerArn }),
    );
    const paths = (rules.Rules ?? []).flatMap((r) =>
      (r.Conditions ?? []).flatMap((c) => c.PathPatternConfig?.Values ?? []),
    );
    assert.ok(paths.includes('/shop'), `paths: ${paths.join()}`);
    const tgs = await aws.elbv2.send(
      new DescribeTargetGroupsCommand({ LoadBalancerArn: lb.LoadBalancerArn }),
    );
    assert.equal(tgs.TargetGroups?.length, 1);
    const health = await aws.elbv2.send(
      new DescribeTargetHealthCommand({
        TargetGroupArn: (tgs.TargetGroups ?? [])[0]?.TargetGroupArn,
      }),
    );
    assert.deepEqual(
      (health.TargetHealthDescriptions ?? []).map((d) => d.Target?.Id).sort(),
      env.world.nodes.map((n) => n.instanceId).sort(),
    );
    const shop = await cached('shop');
    assert.equal(shop.status?.loadBalancer?.ingress?.[0]?.hostname, first.dnsName);
    assert.ok(shop.metadata?.finalizers?.includes(FINALIZER));

    // WHEN reconciled again with nothing changed
    aws.calls.reset();
    const second = await reconcile(`${ns}/shop`);
    // THEN nothing is planned and no mutating AWS call is made
    assert.equal(second.planned, 0);
    assert.equal(aws.calls.mutatingCalls(), 0);
    console.log(`steady-state reads for one group: ${String(aws.calls.total())}`);
  });

  it('changes a path in place: the same rule is modified, none created or deleted', async () => {
    // WHEN the path changes
    await net.patchNamespacedIngress(
      {
        name: 'shop',
        namespace: ns,
        body: ingress(ns, 'shop', { services: ['web'], path: '/store' }),
      },
      mergePatch,
    );
    await cached('shop');
    const report = await reconcile(`${ns}/shop`);
    // THEN the listener serves /store and no longer /shop
    const lb = (await aws.elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers?.find(
      (l) => l.DNSName?.toLowerCase() === report.dnsName,
    );
    const listener = (
      await aws.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lb?.LoadBalancerArn }))
    ).Listeners?.[0];
    const rules = await aws.elbv2.send(
      new DescribeRulesCommand({ ListenerArn: listener?.ListenerArn }),
    );
    const paths = (rules.Rules ?? []).flatMap((r) =>
      (r.Conditions ?? []).flatMap((c) => c.PathPatternConfig?.Values ?? []),
    );
    assert.ok(paths.includes('/store') && !paths.includes('/shop'), `paths: ${paths.join()}`);
    // In place: the member's rule is modified (ModifyRule, retagged with its new id), so
    // no request ever finds the path missing; target group and load balancer untouched.
    assert.equal(report.byChange['update ListenerRule'], 1);
    assert.equal(report.byChange['create ListenerRule'], undefined);
    assert.equal(report.byChange['delete ListenerRule'], undefined);
    assert.ok(!Object.keys(report.byChange).some((k) => /TargetGroup|LoadBalancer/.test(k)));
    assert.equal((await reconcile(`${ns}/shop`)).planned, 0);
  });

  it('shares one ALB between two members; removing one keeps the other serving', async () => {
    const grouped = { 'alb.ingress.kubernetes.io/group.name': 'mall' };
    await net.createNamespacedIngress({
      namespace: ns,
      body: ingress(ns, 'm1', { services: ['api'], path: '/api', annotations: grouped }),
    });
    await net.createNamespacedIngress({
      namespace: ns,
      body: ingress(ns, 'm2', { services: ['admin'], path: '/admin', annotations: grouped }),
    });
    await cached('m1');
    await cached('m2');
    const report = await reconcile('mall');
    const m1 = await cached('m1');
    const m2 = await cached('m2');
    const address = m1.status?.loadBalancer?.ingress?.[0]?.hostname;
    assert.ok(address !== undefined && address === report.dnsName);
    assert.equal(m2.status?.loadBalancer?.ingress?.[0]?.hostname, address);
    // WHEN m2 is deleted
    await net.deleteNamespacedIngress({ name: 'm2', namespace: ns });
    await cached('m2'); // being deleted: held by our finalizer
    const after = await reconcile('mall');
    // THEN m2 is released, m1 still has the same ALB, and its rules remain
    await gone('m2');
    assert.equal(after.dnsName, address);
    assert.equal((await cached('m1')).status?.loadBalancer?.ingress?.[0]?.hostname, address);
    assert.deepEqual(after.byChange['delete ListenerRule'], 1);
    assert.equal((await reconcile('mall')).planned, 0);
  });

  it('reports a bad annotation on its member while the other member converges', async () => {
    const grouped = { 'alb.ingress.kubernetes.io/group.name': 'fair' };
    await net.createNamespacedIngress({
      namespace: ns,
      body: ingress(ns, 'good', { services: ['api'], path: '/good', annotations: grouped }),
    });
    await net.createNamespacedIngress({
      namespace: ns,
      body: ingress(ns, 'bad', {
        services: ['admin'],
        path: '/bad',
        annotations: {
          ...grouped,
          'alb.ingress.kubernetes.io/healthcheck-interval-seconds': 'often',
        },
      }),
    });
    await cached('good');
    await cached('bad');
    const report = await reconcile('fair');
    assert.deepEqual(report.frozen, [`${ns}/bad`]);
    assert.ok((await cached('good')).status?.loadBalancer?.ingress?.[0]?.hostname);
    const events = await core.listNamespacedEvent({
      namespace: ns,
      fieldSelector: 'involvedObject.name=bad',
    });
    const warning = events.items.find((e) => e.type === 'Warning');
    assert.ok(warning !== undefined, 'a Warning Event on the bad member');
    assert.equal(warning.reason, 'FailedBuildModel');
    assert.match(warning.message ?? '', /healthcheck-interval-seconds "often"/);
  });

  it('deletes everything of ours when the last member goes, and the foreign ALB survives', async () => {
    for (const name of ['shop', 'm1', 'good', 'bad']) {
      await net.deleteNamespacedIngress({ name, namespace: ns });
    }
    for (const group of [`${ns}/shop`, 'mall', 'fair']) {
      await eventually(`deletion seen for ${group}`, () =>
        caches.ingressList().every((i) => i.metadata?.deletionTimestamp != null) ? true : undefined,
      );
      await reconciler.reconcile(group, signal);
    }
    for (const name of ['shop', 'm1', 'good', 'bad']) await gone(name);
    assert.deepEqual(await ours(), { lbs: 0, tgs: 0 });
    const lbs = await aws.elbv2.send(new DescribeLoadBalancersCommand({ Names: ['foreign-web'] }));
    assert.equal(lbs.LoadBalancers?.length, 1);
    const tgs = await aws.elbv2.send(
      new DescribeTargetGroupsCommand({ Names: ['foreign-web-tg'] }),
    );
    assert.equal(tgs.TargetGroups?.length, 1);
  });
});
