/**
 * The chart's RBAC is enough, and no more: its ServiceAccount, ClusterRole, Role and
 * bindings are applied for real, then the controller's reconcile machinery runs as that
 * ServiceAccount (the admin kubeconfig impersonating
 * `system:serviceaccount:<release ns>:<sa>`) and takes an Ingress through its life:
 * finalizer, load balancer, status, Event, steady state, deletion. Access reviews, asked
 * as the same identity, check the permissions of code on other branches (webhook,
 * readiness gates, TargetGroupBinding) and that nothing beyond them is granted.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  AuthorizationV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  NetworkingV1Api,
  PatchStrategy,
  type V1ResourceAttributes,
} from '@kubernetes/client-node';
import { isMutating } from '../../../pkg/aws/index.ts';
import { kubeLeaseClient } from '../../../controller/leader-election.ts';
import { renderChart, type Rendered } from '../../env/helm.ts';
import {
  startInProcessReconciler,
  type InProcessReconciler,
} from '../../env/in-process-reconciler.ts';
import { useTestEnv } from '../../env/testenv.ts';
import { eventually, ingress, nodePortService } from '../k8s/helpers.ts';

const RBAC_KINDS = new Set([
  'ServiceAccount',
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
]);

describe("helm chart: the controller works with exactly the chart's RBAC", () => {
  const testEnv = useTestEnv();
  const signal = new AbortController().signal;
  let releaseNs: string;
  let appNs: string;
  let fullname: string;
  let asController: KubeConfig;
  let harness: InProcessReconciler;

  before(async () => {
    const env = testEnv.env;
    await env.resetAws();
    releaseNs = await env.freshNamespace('chart-rbac');
    appNs = await env.freshNamespace('chart-app');
    // Cluster-scoped names differ per run: the shared API server keeps old ClusterRoles.
    fullname = `albatross-${randomBytes(3).toString('hex')}`;
    const rendered = renderChart(
      {
        clusterName: env.clusterName,
        fullnameOverride: fullname,
        rbac: { oidcSecretNames: ['oidc'] },
      },
      releaseNs,
    );
    const apply = KubernetesObjectApi.makeApiClient(env.kc);
    const rbac = rendered.filter((o) => RBAC_KINDS.has(o.kind));
    assert.equal(rbac.length, 5);
    for (const object of rbac) {
      await apply.patch(
        object,
        undefined,
        undefined,
        'albatross-chart-test',
        true,
        PatchStrategy.ServerSideApply,
      );
    }
    const sa = serviceAccountOf(rendered);
    asController = impersonating(env.kc, `system:serviceaccount:${releaseNs}:${sa}`);
  });
  after(async () => {
    await harness.stop();
  });

  function serviceAccountOf(rendered: readonly Rendered[]): string {
    const sa = rendered.find((o) => o.kind === 'ServiceAccount');
    assert.ok(sa);
    return sa.metadata.name;
  }

  function impersonating(kc: KubeConfig, user: string): KubeConfig {
    const out = new KubeConfig();
    out.loadFromOptions({
      clusters: kc.clusters,
      contexts: kc.contexts,
      currentContext: kc.getCurrentContext(),
      users: kc.users.map((u) => ({ ...u, impersonateUser: user })),
    });
    return out;
  }

  async function allowed(attributes: V1ResourceAttributes): Promise<boolean> {
    const review = await asController
      .makeApiClient(AuthorizationV1Api)
      .createSelfSubjectAccessReview({
        body: { spec: { resourceAttributes: attributes } },
      });
    return review.status?.allowed === true;
  }

  it('requests really run as the ServiceAccount (a write outside its grant is refused)', async () => {
    const core = asController.makeApiClient(CoreV1Api);
    await assert.rejects(
      core.createNamespacedService({
        namespace: appNs,
        body: { metadata: { name: 'x' }, spec: { ports: [{ port: 80 }] } },
      }),
      (err: unknown) => (err as { code?: number }).code === 403,
    );
  });

  it('reconciles an Ingress through its life with those permissions only', async () => {
    const env = testEnv.env;
    const admin = {
      core: env.kc.makeApiClient(CoreV1Api),
      net: env.kc.makeApiClient(NetworkingV1Api),
    };
    harness = await startInProcessReconciler(env, {
      kc: asController,
      // Made by the ServiceAccount itself, as the controller does on first start.
      digestKeySecret: { namespace: releaseNs, name: `${fullname}-digest-key` },
    });
    const { reconciler, caches, aws } = harness;
    await admin.core.createNamespacedService({
      namespace: appNs,
      body: nodePortService(appNs, 'web'),
    });
    await admin.net.createNamespacedIngress({
      namespace: appNs,
      body: ingress(appNs, 'shop', { services: ['web'] }),
    });
    await eventually('the Ingress in the cache', () => caches.ingresses.get('shop', appNs));

    // GIVEN the Ingress, WHEN reconciled as the ServiceAccount
    const first = await reconciler.reconcile(`${appNs}/shop`, signal);
    // THEN the ALB exists and the Ingress shows it, with our finalizer and an Event
    assert.ok(first.dnsName !== null, JSON.stringify(first));
    const got = await admin.net.readNamespacedIngress({ name: 'shop', namespace: appNs });
    assert.equal(got.status?.loadBalancer?.ingress?.[0]?.hostname, first.dnsName);
    assert.ok((got.metadata?.finalizers ?? []).length > 0);
    const events = await admin.core.listNamespacedEvent({ namespace: appNs });
    assert.ok(
      events.items.some(
        (e) => e.involvedObject.name === 'shop' && e.reason === 'SuccessfullyReconciled',
      ),
      JSON.stringify(events.items.map((e) => e.reason)),
    );

    // AND the next reconcile plans nothing and writes nothing
    aws.calls.reset();
    const second = await reconciler.reconcile(`${appNs}/shop`, signal);
    assert.equal(second.planned, 0);
    assert.deepEqual(
      aws.calls.snapshot().filter((c) => isMutating(c.operation)),
      [],
    );

    // WHEN the Ingress is deleted, THEN the ALB goes and the finalizer is released
    await admin.net.deleteNamespacedIngress({ name: 'shop', namespace: appNs });
    await eventually('the deletion in the cache', () =>
      caches.ingresses.get('shop', appNs)?.metadata?.deletionTimestamp !== undefined
        ? true
        : undefined,
    );
    await reconciler.reconcile(`${appNs}/shop`, signal);
    await eventually('the Ingress gone', async () => {
      const list = await admin.net.listNamespacedIngress({ namespace: appNs });
      return list.items.length === 0 ? true : undefined;
    });
    const lbs = await aws.elbv2.send(new DescribeLoadBalancersCommand({}));
    assert.ok(!(lbs.LoadBalancers ?? []).some((lb) => lb.DNSName?.toLowerCase() === first.dnsName));
  });

  it('reads the OIDC Secret an Ingress names, by name, with a grant limited to that name', async () => {
    const env = testEnv.env;
    const admin = {
      core: env.kc.makeApiClient(CoreV1Api),
      net: env.kc.makeApiClient(NetworkingV1Api),
    };
    const { reconciler, caches } = harness;
    // GIVEN the named Secret among others, and an Ingress naming it
    for (const name of ['oidc', 'sh.helm.release.v1.app.v1', 'other']) {
      await admin.core.createNamespacedSecret({
        namespace: appNs,
        body: { metadata: { name }, stringData: { clientID: 'id', clientSecret: `s-${name}` } },
      });
    }
    await admin.net.createNamespacedIngress({
      namespace: appNs,
      body: ingress(appNs, 'sso', {
        services: ['web'],
        annotations: {
          'alb.ingress.kubernetes.io/auth-type': 'oidc',
          'alb.ingress.kubernetes.io/auth-idp-oidc': JSON.stringify({
            issuer: 'https://idp.example.com',
            authorizationEndpoint: 'https://idp.example.com/auth',
            tokenEndpoint: 'https://idp.example.com/token',
            userInfoEndpoint: 'https://idp.example.com/userinfo',
            secretName: 'oidc',
          }),
        },
      }),
    });
    await eventually('the Ingress in the cache', () => caches.ingresses.get('sso', appNs));
    // WHEN reconciled as the ServiceAccount (whose Secret grant names only "oidc")
    await reconciler.reconcile(`${appNs}/sso`, signal);
    // THEN the Secret was listed and watched by name, and is the only one cached
    assert.deepEqual(caches.secrets.watched(), [`${appNs}/oidc`]);
    assert.equal(caches.secrets.get('oidc', appNs)?.metadata?.name, 'oidc');
    assert.deepEqual([...caches.oidcSecrets().clients().keys()], [`${appNs}/oidc`]);
  });

  it('holds its own leader Lease, and no other', async () => {
    const leaseName = `${fullname}-leader`;
    const lease = kubeLeaseClient(asController, releaseNs, leaseName);
    assert.equal(await lease.read(), undefined);
    const created = await lease.create({
      metadata: { name: leaseName, namespace: releaseNs },
      spec: { holderIdentity: 'a' },
    });
    assert.ok(created);
    const replaced = await lease.replace({
      metadata: {
        name: leaseName,
        namespace: releaseNs,
        resourceVersion: created.metadata?.resourceVersion ?? '',
      },
      spec: { holderIdentity: 'b' },
    });
    assert.equal(replaced?.spec?.holderIdentity, 'b');
    await kubeLeaseClient(testEnv.env.kc, releaseNs, 'someone-else').create({
      metadata: { name: 'someone-else', namespace: releaseNs },
      spec: { holderIdentity: 'x' },
    });
    await assert.rejects(
      kubeLeaseClient(asController, releaseNs, 'someone-else').read(),
      (err: unknown) => (err as { code?: number }).code === 403,
    );
  });

  it('has what the webhook, readiness gates and TargetGroupBindings need', async () => {
    const ns = releaseNs;
    const wanted: [string, V1ResourceAttributes][] = [
      [
        'patch its webhook configuration',
        {
          group: 'admissionregistration.k8s.io',
          resource: 'mutatingwebhookconfigurations',
          verb: 'patch',
          name: 'albatross-webhook',
        },
      ],
      [
        'read its webhook configuration',
        {
          group: 'admissionregistration.k8s.io',
          resource: 'mutatingwebhookconfigurations',
          verb: 'get',
          name: 'albatross-webhook',
        },
      ],
      ['create its TLS Secret', { resource: 'secrets', verb: 'create', namespace: ns }],
      // Every replica watches it (by name) to serve a renewal another replica wrote.
      [
        'watch its TLS Secret',
        { resource: 'secrets', verb: 'watch', namespace: ns, name: `${fullname}-webhook-tls` },
      ],
      [
        'update its TLS Secret',
        { resource: 'secrets', verb: 'update', namespace: ns, name: `${fullname}-webhook-tls` },
      ],
      [
        'list an OIDC Secret by name',
        { resource: 'secrets', verb: 'list', namespace: appNs, name: 'oidc' },
      ],
      [
        'watch an OIDC Secret by name',
        { resource: 'secrets', verb: 'watch', namespace: appNs, name: 'oidc' },
      ],
      [
        'read its digest key',
        { resource: 'secrets', verb: 'get', namespace: ns, name: `${fullname}-digest-key` },
      ],
      ['watch Pods', { resource: 'pods', verb: 'watch' }],
      [
        'patch pod readiness conditions',
        { resource: 'pods', subresource: 'status', verb: 'patch', namespace: appNs },
      ],
      ['watch Namespaces', { resource: 'namespaces', verb: 'watch' }],
      [
        'list IngressClassParams',
        { group: 'elbv2.k8s.aws', resource: 'ingressclassparams', verb: 'list' },
      ],
      [
        'update TargetGroupBindings',
        {
          group: 'elbv2.k8s.aws',
          resource: 'targetgroupbindings',
          verb: 'update',
          namespace: appNs,
        },
      ],
      [
        'patch TargetGroupBinding status',
        {
          group: 'elbv2.k8s.aws',
          resource: 'targetgroupbindings',
          subresource: 'status',
          verb: 'patch',
          namespace: appNs,
        },
      ],
      [
        'update TargetGroupBinding finalizers',
        {
          group: 'elbv2.k8s.aws',
          resource: 'targetgroupbindings',
          subresource: 'finalizers',
          verb: 'update',
          namespace: appNs,
        },
      ],
      [
        "keep a multi-cluster binding's ownership ConfigMap",
        { resource: 'configmaps', verb: 'update', namespace: appNs, name: 'x' },
      ],
      [
        'delete that ConfigMap with its binding',
        { resource: 'configmaps', verb: 'delete', namespace: appNs, name: 'x' },
      ],
    ];
    for (const [what, attributes] of wanted) assert.ok(await allowed(attributes), what);
    const refused: [string, V1ResourceAttributes][] = [
      [
        'patch another webhook configuration',
        {
          group: 'admissionregistration.k8s.io',
          resource: 'mutatingwebhookconfigurations',
          verb: 'patch',
          name: 'someone-elses',
        },
      ],
      [
        'create webhook configurations',
        {
          group: 'admissionregistration.k8s.io',
          resource: 'mutatingwebhookconfigurations',
          verb: 'create',
        },
      ],
      [
        'update another Secret in its namespace',
        { resource: 'secrets', verb: 'update', namespace: ns, name: 'other' },
      ],
      ['create Secrets elsewhere', { resource: 'secrets', verb: 'create', namespace: appNs }],
      [
        'delete Ingresses',
        { group: 'networking.k8s.io', resource: 'ingresses', verb: 'delete', namespace: appNs },
      ],
      ['update Services', { resource: 'services', verb: 'update', namespace: appNs }],
      ['delete Pods', { resource: 'pods', verb: 'delete', namespace: appNs }],
      [
        'create TargetGroupBindings',
        {
          group: 'elbv2.k8s.aws',
          resource: 'targetgroupbindings',
          verb: 'create',
          namespace: appNs,
        },
      ],
      [
        'write RBAC',
        { group: 'rbac.authorization.k8s.io', resource: 'clusterroles', verb: 'create' },
      ],
      ['impersonate', { resource: 'serviceaccounts', verb: 'impersonate' }],
      ['list ConfigMaps', { resource: 'configmaps', verb: 'list' }],
      ['delete Secrets', { resource: 'secrets', verb: 'delete', namespace: ns }],
      ['list the Secrets of a namespace', { resource: 'secrets', verb: 'list', namespace: appNs }],
      ['list every Secret', { resource: 'secrets', verb: 'list' }],
      ['watch every Secret', { resource: 'secrets', verb: 'watch' }],
      [
        'watch a Secret no Ingress may name',
        { resource: 'secrets', verb: 'watch', namespace: appNs, name: 'sh.helm.release.v1.x' },
      ],
      ['get an OIDC Secret', { resource: 'secrets', verb: 'get', namespace: appNs, name: 'oidc' }],
    ];
    for (const [what, attributes] of refused) assert.equal(await allowed(attributes), false, what);
  });
});
