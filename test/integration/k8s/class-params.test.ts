/**
 * IngressClassParams live: the real API server (with the chart's CRD) and the emulator.
 * Params override the annotations of a real ALB; the namespaceSelector keeps an Ingress
 * of an unselected namespace out (a Warning on it, nothing of it applied) while a
 * selected one works; editing the params or a namespace's labels re-applies the group
 * through the real watch events; every second reconcile plans nothing and writes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DescribeListenersCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { LoadBalancer } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import {
  ApiException,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type { CoreV1Api, NetworkingV1Api, V1Ingress } from '@kubernetes/client-node';
import type { AwsClients } from '../../../pkg/aws/index.ts';
import type { ClusterCaches } from '../../../pkg/k8s/index.ts';
import type { Reconciler, ReconcileReport } from '../../../controller/reconciler.ts';
import { installCrds } from '../../env/crds.ts';
import {
  startInProcessReconciler,
  type InProcessReconciler,
} from '../../env/in-process-reconciler.ts';
import { useTestEnv } from '../../env/testenv.ts';
import type { TestEnv } from '../../env/testenv.ts';
import { eventually, ingress, nodePortService, paramsCrdServing } from './helpers.ts';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const PARAMS = { group: 'elbv2.k8s.aws', version: 'v1beta1', plural: 'ingressclassparams' };

describe('IngressClassParams live', () => {
  const testEnv = useTestEnv();
  let env: TestEnv;
  let nsA: string;
  let nsB: string;
  let core: CoreV1Api;
  let net: NetworkingV1Api;
  let custom: CustomObjectsApi;
  let aws: AwsClients;
  let caches: ClusterCaches;
  let reconciler: Reconciler;
  let harness: InProcessReconciler;
  let name: string;
  let groupKey: string;
  const enqueued: string[] = [];
  const signal = new AbortController().signal;

  before(async () => {
    env = testEnv.env;
    await installCrds(env);
    await env.resetAws();
    nsA = await env.freshNamespace('icp-a');
    nsB = await env.freshNamespace('icp-b');
    name = nsA; // unique per run; params and class are cluster-scoped
    groupKey = `${name}-edge`;
    custom = env.kc.makeApiClient(CustomObjectsApi);
    await paramsCrdServing(custom);
    harness = await startInProcessReconciler(env, { enqueue: (key) => enqueued.push(key) });
    ({ core, net, aws, caches, reconciler } = harness);
    await core.patchNamespace(
      { name: nsA, body: { metadata: { labels: { icp: name } } } },
      mergePatch,
    );
    for (const ns of [nsA, nsB]) {
      await core.createNamespacedService({ namespace: ns, body: nodePortService(ns, 'web') });
    }
    await custom.createClusterCustomObject({
      ...PARAMS,
      body: {
        apiVersion: 'elbv2.k8s.aws/v1beta1',
        kind: 'IngressClassParams',
        metadata: { name },
        spec: {
          namespaceSelector: { matchLabels: { icp: name } },
          group: { name: `${name}-edge` },
          scheme: 'internet-facing',
          inboundCIDRs: ['10.1.0.0/16'],
          tags: [{ key: 'team', value: 'platform' }],
          loadBalancerAttributes: [{ key: 'idle_timeout.timeout_seconds', value: '90' }],
        },
      },
    });
    await net.createIngressClass({
      body: {
        metadata: { name },
        spec: {
          controller: 'albatross.dev/alb',
          parameters: { apiGroup: 'elbv2.k8s.aws', kind: 'IngressClassParams', name },
        },
      },
    });
  });
  after(async () => {
    await harness.stop();
  });

  function classIngress(ns: string, ingressName: string, path: string): V1Ingress {
    const body = ingress(ns, ingressName, {
      services: ['web'],
      path,
      annotations: {
        'alb.ingress.kubernetes.io/scheme': 'internal',
        'alb.ingress.kubernetes.io/tags': 'team=app,owner=me',
        'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP":80},{"HTTP":8080}]',
      },
    });
    if (body.spec !== undefined) body.spec.ingressClassName = name;
    return body;
  }

  async function settled(): Promise<void> {
    // Our own writes (finalizers, status) reach the cache before the next step reads it.
    for (const ns of [nsA, nsB]) {
      const live = await net.listNamespacedIngress({ namespace: ns });
      for (const item of live.items) {
        await eventually('cache up to date', () =>
          caches.ingresses.get(item.metadata?.name ?? '', ns)?.metadata?.resourceVersion ===
          item.metadata?.resourceVersion
            ? true
            : undefined,
        );
      }
    }
  }

  async function reconcile(): Promise<ReconcileReport> {
    const report = await reconciler.reconcile(groupKey, signal);
    await settled();
    return report;
  }

  async function loadBalancer(report: ReconcileReport): Promise<LoadBalancer> {
    const lbs = await aws.elbv2.send(new DescribeLoadBalancersCommand({}));
    const lb = (lbs.LoadBalancers ?? []).find((l) => l.DNSName?.toLowerCase() === report.dnsName);
    assert.ok(lb?.LoadBalancerArn !== undefined, 'the ALB exists');
    return lb;
  }

  async function tagsOf(arn: string): Promise<Record<string, string>> {
    const out = await aws.elbv2.send(new DescribeTagsCommand({ ResourceArns: [arn] }));
    return Object.fromEntries(
      (out.TagDescriptions?.[0]?.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']),
    );
  }

  async function idleTimeout(arn: string): Promise<string | undefined> {
    const out = await aws.elbv2.send(
      new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: arn }),
    );
    return out.Attributes?.find((a) => a.Key === 'idle_timeout.timeout_seconds')?.Value;
  }

  async function rulePaths(lb: LoadBalancer): Promise<string[]> {
    const listeners = await aws.elbv2.send(
      new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }),
    );
    const paths: string[] = [];
    for (const l of listeners.Listeners ?? []) {
      const rules = await aws.elbv2.send(new DescribeRulesCommand({ ListenerArn: l.ListenerArn }));
      for (const r of rules.Rules ?? []) {
        for (const c of r.Conditions ?? []) paths.push(...(c.PathPatternConfig?.Values ?? []));
      }
    }
    return paths.sort();
  }

  async function steady(): Promise<void> {
    aws.calls.reset();
    const again = await reconcile();
    assert.equal(again.planned, 0, 'a second reconcile plans nothing');
    assert.equal(aws.calls.mutatingCalls(), 0, 'and makes no mutating AWS call');
  }

  it('rejects a params object with a wrong value at apply time (the CRD schema)', async () => {
    await assert.rejects(
      custom.createClusterCustomObject({
        ...PARAMS,
        body: {
          apiVersion: 'elbv2.k8s.aws/v1beta1',
          kind: 'IngressClassParams',
          metadata: { name: `${name}-bad` },
          spec: { scheme: 'public' },
        },
      }),
      (err: unknown) => {
        assert.ok(err instanceof ApiException);
        assert.equal(err.code, 422);
        const body = String(err.body);
        assert.match(body, /spec\.scheme/);
        assert.match(body, /internet-facing/);
        return true;
      },
    );
    await assert.rejects(
      custom.createClusterCustomObject({
        ...PARAMS,
        body: {
          apiVersion: 'elbv2.k8s.aws/v1beta1',
          kind: 'IngressClassParams',
          metadata: { name: `${name}-bad` },
          spec: {
            subnets: { ids: ['subnet-0a'], tags: { a: ['b'] } },
            tags: [{ key: 'albatross.dev/stack', value: 'x' }],
          },
        },
      }),
      (err: unknown) => {
        assert.ok(err instanceof ApiException);
        assert.equal(err.code, 422);
        const body = String(err.body);
        assert.match(body, /exactly one of ids and tags/);
        assert.match(body, /albatross\.dev\/ keys are the ownership tags/);
        return true;
      },
    );
  });

  it('params override scheme, tags, CIDRs and attributes of the real ALB; an unselected namespace is kept out', async () => {
    // GIVEN an Ingress of the class in a selected namespace and one in an unselected one
    await net.createNamespacedIngress({ namespace: nsA, body: classIngress(nsA, 'app', '/a') });
    await net.createNamespacedIngress({
      namespace: nsB,
      body: classIngress(nsB, 'intruder', '/b'),
    });
    await eventually('both cached', () =>
      caches.ingressClassParams?.get(name) !== undefined &&
      caches.ingressClasses.get(name) !== undefined &&
      caches.namespaces.get(nsA)?.metadata?.labels?.icp === name &&
      caches.ingresses.get('app', nsA) !== undefined &&
      caches.ingresses.get('intruder', nsB) !== undefined
        ? true
        : undefined,
    );
    // WHEN the params' group is reconciled
    const report = await reconcile();
    // THEN the ALB has the params' scheme (the Ingress says internal) and tags on top
    const lb = await loadBalancer(report);
    assert.equal(lb.Scheme, 'internet-facing');
    const tags = await tagsOf(lb.LoadBalancerArn ?? '');
    assert.equal(tags.team, 'platform');
    assert.equal(tags.owner, 'me');
    assert.equal(tags['albatross.dev/stack'], `${name}-edge`);
    assert.equal(tags['albatross.dev/cluster'], env.clusterName);
    assert.equal(await idleTimeout(lb.LoadBalancerArn ?? ''), '90');
    const sgs = await aws.ec2.send(
      new DescribeSecurityGroupsCommand({ GroupIds: [...(lb.SecurityGroups ?? [])] }),
    );
    const cidrs = new Set(
      (sgs.SecurityGroups ?? []).flatMap((g) =>
        (g.IpPermissions ?? []).flatMap((p) => (p.IpRanges ?? []).map((r) => r.CidrIp)),
      ),
    );
    assert.deepEqual([...cidrs], ['10.1.0.0/16']);
    // Only the selected Ingress's rules; the target group's tags carry the params' too
    const paths = await rulePaths(lb);
    assert.ok(paths.includes('/a') && !paths.includes('/b'), `paths: ${paths.join()}`);
    const tgs = await aws.elbv2.send(
      new DescribeTargetGroupsCommand({ LoadBalancerArn: lb.LoadBalancerArn }),
    );
    assert.equal(tgs.TargetGroups?.length, 1);
    assert.equal((await tagsOf(tgs.TargetGroups[0]?.TargetGroupArn ?? '')).team, 'platform');
    assert.deepEqual(report.frozen, [`${nsB}/intruder`]);
    // The rejected Ingress has a Warning naming the class, the params and its namespace
    const events = await core.listNamespacedEvent({ namespace: nsB });
    const warning = events.items.find(
      (e) => e.involvedObject.name === 'intruder' && e.reason === 'FailedBuildModel',
    );
    assert.ok(warning, 'a FailedBuildModel Warning on the rejected Ingress');
    assert.equal(warning.type, 'Warning');
    assert.match(warning.message ?? '', new RegExp(`IngressClass ${name}`));
    assert.match(warning.message ?? '', new RegExp(`IngressClassParams ${name}`));
    assert.match(warning.message ?? '', new RegExp(`namespace ${nsB} is not selected`));
    await steady();
  });

  it('editing the params re-applies the group through the watch, and the ALB changes', async () => {
    enqueued.length = 0;
    // WHEN the params' tags and attributes change
    await custom.patchClusterCustomObject(
      {
        ...PARAMS,
        name,
        body: {
          spec: {
            tags: [{ key: 'team', value: 'edge' }],
            loadBalancerAttributes: [{ key: 'idle_timeout.timeout_seconds', value: '120' }],
          },
        },
      },
      mergePatch,
    );
    // THEN the watch event maps to the group's key
    await eventually('the group enqueued', () => (enqueued.includes(groupKey) ? true : undefined));
    await eventually('params cached', () => {
      const spec = caches.ingressClassParams?.get(name)?.spec;
      return JSON.stringify(spec).includes('"edge"') ? true : undefined;
    });
    const report = await reconcile();
    assert.ok(report.planned > 0);
    const lb = await loadBalancer(report);
    assert.equal((await tagsOf(lb.LoadBalancerArn ?? '')).team, 'edge');
    assert.equal(await idleTimeout(lb.LoadBalancerArn ?? ''), '120');
    await steady();
  });

  it('labelling the unselected namespace re-applies the group and admits its Ingress', async () => {
    enqueued.length = 0;
    await core.patchNamespace(
      { name: nsB, body: { metadata: { labels: { icp: name } } } },
      mergePatch,
    );
    await eventually('the group enqueued', () => (enqueued.includes(groupKey) ? true : undefined));
    const report = await reconcile();
    assert.deepEqual(report.frozen, []);
    const lb = await loadBalancer(report);
    const paths = await rulePaths(lb);
    assert.ok(paths.includes('/a') && paths.includes('/b'), `paths: ${paths.join()}`);
    await steady();
  });
});
