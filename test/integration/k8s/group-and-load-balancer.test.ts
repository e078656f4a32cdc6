/**
 * Class selection, IngressGroup conflicts and load-balancer annotations live, against the
 * API server and moto through the reconciler:
 * - the legacy `kubernetes.io/ingress.class` annotation selects us, and decides over
 *   the default IngressClass (the API server refuses the annotation and a different
 *   `ingressClassName` together); an Ingress of another class is left alone;
 * - an exclusive annotation (`scheme`) set two ways in a group: both members get a
 *   Warning naming it, the later member is frozen, the first keeps working; merged
 *   annotations (`tags`, `listen-ports`) of two members are both applied;
 * - `load-balancer-name`, `subnets` (one by ID, one by Name tag), `ssl-policy`, and
 *   `load-balancer-attributes` (only the listed keys managed);
 * - subnet discovery: the role tag of the scheme, one subnet per AZ, ours before an
 *   untagged one, never another cluster's.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { RequestCertificateCommand } from '@aws-sdk/client-acm';
import { CreateSubnetCommand } from '@aws-sdk/client-ec2';
import {
  DescribeLoadBalancerAttributesCommand,
  DescribeTagsCommand,
  ModifyLoadBalancerAttributesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { V1Ingress } from '@kubernetes/client-node';

import type { ReconcileReport } from '../../../controller/reconciler.ts';
import { isMutating } from '../../../pkg/aws/index.ts';
import {
  startInProcessReconciler,
  type InProcessReconciler,
} from '../../env/in-process-reconciler.ts';
import { useTestEnv } from '../../env/testenv.ts';
import { eventually, ingress, nodePortService } from './helpers.ts';
import { findStack, mentions, warnings, type LiveStack } from './live-stack.ts';

const A = 'alb.ingress.kubernetes.io/';
const LEGACY = 'kubernetes.io/ingress.class';
const POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

describe('class selection, group conflicts and load-balancer annotations live', () => {
  const testEnv = useTestEnv();
  let ns: string;
  let harness: InProcessReconciler;
  let cert: string;
  let ownPublicA: string;
  const signal = new AbortController().signal;

  before(async () => {
    const env = testEnv.env;
    await env.resetAws();
    ns = await env.freshNamespace('lbgroup');
    // Decoys for discovery in us-east-1a: a public subnet without our cluster tag (ours
    // wins over it) and one tagged for another cluster (never chosen).
    for (const [cidr, tags] of [
      ['10.0.200.0/24', { 'kubernetes.io/role/elb': '1' }],
      ['10.0.201.0/24', { 'kubernetes.io/role/elb': '1', 'kubernetes.io/cluster/other': 'owned' }],
    ] as const) {
      await env.aws.ec2.send(
        new CreateSubnetCommand({
          VpcId: env.world.vpcId,
          CidrBlock: cidr,
          AvailabilityZone: 'us-east-1a',
          TagSpecifications: [
            {
              ResourceType: 'subnet',
              Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
            },
          ],
        }),
      );
    }
    ownPublicA = env.world.publicSubnetIds[0] ?? '';
    harness = await startInProcessReconciler(env, { namespace: ns });
    await harness.core.createNamespacedService({ namespace: ns, body: nodePortService(ns, 'web') });
    const requested = await env.aws.acm.send(
      new RequestCertificateCommand({ DomainName: 'mall.example.com' }),
    );
    cert = requested.CertificateArn ?? '';
  });
  after(async () => {
    await harness.stop();
  });

  async function put(body: V1Ingress): Promise<void> {
    const name = body.metadata?.name ?? '';
    let live: V1Ingress;
    try {
      const old = await harness.net.readNamespacedIngress({ name, namespace: ns });
      if (body.metadata !== undefined) {
        body.metadata.resourceVersion = old.metadata?.resourceVersion ?? '';
      }
      live = await harness.net.replaceNamespacedIngress({ name, namespace: ns, body });
    } catch {
      live = await harness.net.createNamespacedIngress({ namespace: ns, body });
    }
    await eventually(`cache of ${name}`, () =>
      harness.caches.ingresses.get(name, ns)?.metadata?.resourceVersion ===
      live.metadata?.resourceVersion
        ? true
        : undefined,
    );
  }

  async function reconcile(
    group: string,
  ): Promise<{ report: ReconcileReport; writes: Record<string, number> }> {
    harness.aws.calls.reset();
    const report = await harness.reconciler.reconcile(group, signal);
    const writes: Record<string, number> = {};
    for (const c of harness.aws.calls.snapshot()) {
      if (isMutating(c.operation)) writes[c.operation] = (writes[c.operation] ?? 0) + c.count;
    }
    return { report, writes };
  }

  async function stack(id: string): Promise<LiveStack> {
    const live = await findStack(harness.aws, id);
    assert.ok(live, `an ALB for ${id}`);
    return live;
  }

  async function lbTags(arn: string | undefined): Promise<Record<string, string>> {
    const found = await harness.aws.elbv2.send(
      new DescribeTagsCommand({ ResourceArns: [arn ?? ''] }),
    );
    return Object.fromEntries(
      (found.TagDescriptions?.[0]?.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']),
    );
  }

  async function lbAttributes(arn: string | undefined): Promise<Record<string, string>> {
    const found = await harness.aws.elbv2.send(
      new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: arn }),
    );
    return Object.fromEntries((found.Attributes ?? []).map((a) => [a.Key ?? '', a.Value ?? '']));
  }

  const subnetsOf = (live: LiveStack): string[] =>
    (live.loadBalancer.AvailabilityZones ?? []).map((z) => z.SubnetId ?? '').sort();

  async function finalizers(name: string): Promise<readonly string[]> {
    const live = await harness.net.readNamespacedIngress({ name, namespace: ns });
    return live.metadata?.finalizers ?? [];
  }

  it('serves the legacy class annotation and leaves other classes alone', async () => {
    // GIVEN an Ingress selecting us only by the legacy annotation, one whose legacy
    // annotation names nginx (without it the default class, ours, would take it), and one
    // of another class
    const legacy = ingress(ns, 'legacy', { services: ['web'], annotations: { [LEGACY]: 'alb' } });
    delete legacy.spec?.ingressClassName;
    const nginx = ingress(ns, 'nginx', { services: ['web'], annotations: { [LEGACY]: 'nginx' } });
    delete nginx.spec?.ingressClassName;
    const other = ingress(ns, 'other', { services: ['web'] });
    if (other.spec !== undefined) other.spec.ingressClassName = 'other';
    for (const body of [legacy, nginx, other]) await put(body);
    // WHEN each is reconciled
    const results = {
      legacy: await reconcile(`${ns}/legacy`),
      nginx: await reconcile(`${ns}/nginx`),
      other: await reconcile(`${ns}/other`),
    };
    // THEN only the legacy-annotated one has an ALB, a finalizer and an address
    assert.deepEqual(results.legacy.report.frozen, []);
    const legacyLb = await stack(`${ns}/legacy`);
    assert.ok((await finalizers('legacy')).length > 0);
    const served = await harness.net.readNamespacedIngress({ name: 'legacy', namespace: ns });
    assert.equal(
      served.status?.loadBalancer?.ingress?.[0]?.hostname,
      legacyLb.loadBalancer.DNSName?.toLowerCase(),
    );
    for (const name of ['nginx', 'other'] as const) {
      assert.deepEqual(results[name].writes, {}, `${name}: no AWS write`);
      assert.equal(await findStack(harness.aws, `${ns}/${name}`), undefined, `${name}: no ALB`);
      assert.deepEqual(await finalizers(name), [], `${name}: no finalizer`);
      const live = await harness.net.readNamespacedIngress({ name, namespace: ns });
      assert.equal(live.status?.loadBalancer?.ingress, undefined, `${name}: no address`);
    }
  });

  it('applies the group: name, listed subnets, ssl-policy, attributes, merged tags and ports; a conflict freezes only the later member', async () => {
    const env = testEnv.env;
    const group = { [`${A}group.name`]: 'mall' };
    // GIVEN a first member with the load-balancer settings …
    await put(
      ingress(ns, 'a', {
        services: ['web'],
        path: '/a',
        annotations: {
          ...group,
          [`${A}scheme`]: 'internet-facing',
          [`${A}load-balancer-name`]: 'albatross-live-mall',
          [`${A}subnets`]: `${ownPublicA}, ${env.clusterName}-public-us-east-1b`,
          [`${A}listen-ports`]: '[{"HTTP":80},{"HTTPS":443}]',
          [`${A}certificate-arn`]: cert,
          [`${A}ssl-policy`]: POLICY,
          [`${A}load-balancer-attributes`]: 'idle_timeout.timeout_seconds=120',
          [`${A}tags`]: 'team=a',
        },
      }),
    );
    // … a second whose scheme conflicts (exclusive), and a third that adds a tag and a port
    await put(
      ingress(ns, 'b', {
        services: ['web'],
        path: '/b',
        annotations: { ...group, [`${A}scheme`]: 'internal' },
      }),
    );
    await put(
      ingress(ns, 'c', {
        services: ['web'],
        path: '/c',
        annotations: { ...group, [`${A}tags`]: 'owner=c', [`${A}listen-ports`]: '[{"HTTP":8080}]' },
      }),
    );
    // WHEN the group is reconciled
    const first = await reconcile('mall');
    // THEN only b is frozen, and both a and b are told, naming the annotation
    assert.deepEqual(first.report.frozen, [`${ns}/b`]);
    assert.ok(mentions(await warnings(harness.core, ns, 'b'), `${A}scheme`, `${ns}/a`));
    assert.ok(mentions(await warnings(harness.core, ns, 'a'), `${A}scheme`, `${ns}/b`));
    // the ALB follows a: its name, scheme, the two listed subnets, policy and attribute
    const live = await stack('mall');
    assert.equal(live.loadBalancer.LoadBalancerName, 'albatross-live-mall');
    assert.equal(live.loadBalancer.Scheme, 'internet-facing');
    assert.deepEqual(subnetsOf(live), [...env.world.publicSubnetIds.slice(0, 2)].sort());
    assert.equal(live.listeners.get(443)?.SslPolicy, POLICY);
    const arn = live.loadBalancer.LoadBalancerArn;
    assert.equal((await lbAttributes(arn))['idle_timeout.timeout_seconds'], '120');
    // merged: both members' tags and ports
    const tags = await lbTags(arn);
    assert.equal(tags.team, 'a');
    assert.equal(tags.owner, 'c');
    assert.deepEqual(
      [...live.listeners.keys()].sort((x, y) => x - y),
      [80, 443, 8080],
    );
    // a and c route, b does not
    const paths = [...live.rules.values()]
      .flat()
      .flatMap(
        (r) =>
          r.Conditions?.find((c) => c.Field === 'path-pattern')?.PathPatternConfig?.Values ?? [],
      );
    assert.ok(paths.includes('/a') && paths.includes('/c'), paths.join(' '));
    assert.ok(!paths.includes('/b'), 'the frozen member gets no rule');
    const again = await reconcile('mall');
    assert.equal(again.report.planned, 0);
    assert.deepEqual(again.writes, {});
  });

  it('manages only the listed load-balancer attributes', async () => {
    const live = await stack('mall');
    const arn = live.loadBalancer.LoadBalancerArn;
    // GIVEN someone else sets an attribute the annotation does not list
    await harness.aws.elbv2.send(
      new ModifyLoadBalancerAttributesCommand({
        LoadBalancerArn: arn,
        Attributes: [{ Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' }],
      }),
    );
    // WHEN the listed attribute changes
    const a = await harness.net.readNamespacedIngress({ name: 'a', namespace: ns });
    const annotations = a.metadata?.annotations ?? {};
    annotations[`${A}load-balancer-attributes`] = 'idle_timeout.timeout_seconds=90';
    if (a.metadata !== undefined) a.metadata.annotations = annotations;
    await put(a);
    const changed = await reconcile('mall');
    // THEN only that key is written; the other one is left as it was
    assert.equal(changed.writes.ModifyLoadBalancerAttributes, 1);
    assert.equal(changed.writes.CreateLoadBalancer, undefined);
    const attrs = await lbAttributes(arn);
    assert.equal(attrs['idle_timeout.timeout_seconds'], '90');
    assert.equal(attrs['routing.http.drop_invalid_header_fields.enabled'], 'true');
    const again = await reconcile('mall');
    assert.deepEqual(again.writes, {});
  });

  it('discovers one subnet per AZ by the scheme role tag, ours first, never another cluster', async () => {
    const env = testEnv.env;
    // GIVEN an internet-facing and an internal Ingress without a subnets annotation
    await put(
      ingress(ns, 'public', {
        services: ['web'],
        annotations: { [`${A}scheme`]: 'internet-facing' },
      }),
    );
    await put(ingress(ns, 'private', { services: ['web'] }));
    // WHEN reconciled
    await reconcile(`${ns}/public`);
    await reconcile(`${ns}/private`);
    // THEN the public one gets the cluster's elb-role subnets (not the decoys in 1a),
    // the internal one the internal-elb ones, one per AZ
    assert.deepEqual(subnetsOf(await stack(`${ns}/public`)), [...env.world.publicSubnetIds].sort());
    assert.deepEqual(
      subnetsOf(await stack(`${ns}/private`)),
      [...env.world.privateSubnetIds].sort(),
    );
  });
});
