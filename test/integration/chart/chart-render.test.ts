/**
 * The chart as `helm template` renders it: the default values and a table of
 * non-default ones, each asserting what an operator would notice. helm is the real one,
 * built from its Go module by test/env/provision.sh. The controller's own flag parser
 * checks the rendered arguments, so a flag the controller does not know fails here.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  V1ClusterRole,
  V1Deployment,
  V1IngressClass,
  V1MutatingWebhookConfiguration,
  V1NetworkPolicy,
  V1PodDisruptionBudget,
  V1PolicyRule,
  V1Role,
  V1Service,
  V1ServiceAccount,
} from '@kubernetes/client-node';
import { CONTROLLER_HELP, parseControllerConfig } from '../../../controller/config.ts';
import {
  helm,
  helmWithValues,
  chartDir,
  kinds,
  only,
  renderChart,
  type Rendered,
} from '../../env/helm.ts';

const NS = 'albatross-system';
const base = { clusterName: 'prod-eu' } as const;

function render(values: Readonly<Record<string, unknown>> = {}): Rendered[] {
  return renderChart({ ...base, ...values }, NS);
}

function deployment(objects: readonly Rendered[]): V1Deployment {
  return only(objects, 'Deployment');
}

function container(objects: readonly Rendered[]) {
  const c = deployment(objects).spec?.template.spec?.containers[0];
  assert.ok(c, 'the Deployment has a container');
  return c;
}

function args(objects: readonly Rendered[]): string[] {
  return container(objects).args ?? [];
}

function rules(objects: readonly Rendered[], kind: 'ClusterRole' | 'Role'): V1PolicyRule[] {
  return (only(objects, kind) as unknown as V1ClusterRole | V1Role).rules ?? [];
}

/** Does some rule grant `verb` on `resource` (optionally only for `name`)? */
function grants(
  list: readonly V1PolicyRule[],
  resource: string,
  verb: string,
  name?: string,
): boolean {
  return list.some(
    (r) =>
      r.resources?.includes(resource) === true &&
      r.verbs.includes(verb) &&
      (name === undefined || r.resourceNames?.includes(name) === true),
  );
}

/**
 * The rendered args as the controller parses them. Flags of features that are not in
 * this tree's controller (the webhook's, built on another branch) are left out only
 * while the controller's help does not list them.
 */
function parseArgs(list: readonly string[]) {
  const known = list.filter(
    (a) => !a.startsWith('--webhook-') || CONTROLLER_HELP.includes('--webhook-'),
  );
  const [command, ...flags] = known;
  assert.equal(command, 'controller');
  return parseControllerConfig(flags, { AWS_REGION: 'eu-west-1', POD_NAMESPACE: NS });
}

describe('helm chart: render', () => {
  it('passes helm lint --strict', () => {
    const result = helm(['lint', chartDir, '--strict', '--set', 'clusterName=prod-eu']);
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  it('passes helm lint --strict with every optional part on', () => {
    const result = helmWithValues(
      'lint',
      {
        clusterName: 'prod-eu',
        webhook: { certManager: { enabled: true } },
        serviceMonitor: { enabled: true },
        ingressClass: { default: true },
        ingressClassParams: { create: true, spec: { scheme: 'internal' } },
        serviceAccount: { roleArn: 'arn:aws:iam::123456789012:role/albatross' },
        priorityClassName: 'system-cluster-critical',
      },
      NS,
    );
    assert.equal(result.status, 0, result.stdout + result.stderr);
  });

  describe('default values', () => {
    const objects = render();

    it('renders the controller, its access, its class, its webhook and its network policy', () => {
      assert.deepEqual(kinds(objects), [
        'ClusterRole',
        'ClusterRoleBinding',
        'Deployment',
        'IngressClass',
        'MutatingWebhookConfiguration',
        'NetworkPolicy',
        'PodDisruptionBudget',
        'Role',
        'RoleBinding',
        'Service',
        'Service',
        'ServiceAccount',
      ]);
      for (const o of objects) {
        if (
          ![
            'ClusterRole',
            'ClusterRoleBinding',
            'IngressClass',
            'MutatingWebhookConfiguration',
          ].includes(o.kind)
        )
          assert.equal(
            o.metadata.namespace,
            NS,
            `${o.kind}/${o.metadata.name} is in the release namespace`,
          );
      }
    });

    it('runs 2 replicas with leader election on a Lease in the release namespace', () => {
      assert.equal(deployment(objects).spec?.replicas, 2);
      const a = args(objects);
      assert.ok(a.includes('--cluster-name=prod-eu'));
      assert.ok(a.includes('--leader-election=true'));
      assert.ok(a.includes(`--leader-election-namespace=${NS}`));
      assert.ok(a.includes('--leader-election-name=albatross-leader'));
      assert.ok(a.includes('--ingress-class=alb'));
    });

    it('passes arguments the controller accepts', () => {
      const parsed = parseArgs(args(objects));
      assert.equal(parsed.kind, 'ok', JSON.stringify(parsed));
      assert.equal(parsed.options.translate.clusterName, 'prod-eu');
      assert.equal(parsed.options.leaderElection.enabled, true);
      assert.equal(parsed.options.leaderElection.namespace, NS);
      assert.equal(parsed.options.healthAddr.port, 8081);
      assert.equal(parsed.options.metricsAddr.port, 8080);
    });

    it('runs non-root with a read-only root filesystem, no capabilities, RuntimeDefault seccomp', () => {
      const pod = deployment(objects).spec?.template.spec;
      assert.equal(pod?.securityContext?.runAsNonRoot, true);
      assert.equal(pod.securityContext.seccompProfile?.type, 'RuntimeDefault');
      const sc = container(objects).securityContext;
      assert.equal(sc?.runAsNonRoot, true);
      assert.equal(sc.readOnlyRootFilesystem, true);
      assert.equal(sc.allowPrivilegeEscalation, false);
      assert.deepEqual(sc.capabilities?.drop, ['ALL']);
      assert.equal(sc.seccompProfile?.type, 'RuntimeDefault');
    });

    it('probes /healthz and /readyz on the health port, and sets resources', () => {
      const c = container(objects);
      assert.equal(c.livenessProbe?.httpGet?.path, '/healthz');
      assert.equal(c.readinessProbe?.httpGet?.path, '/readyz');
      assert.equal(c.livenessProbe.httpGet.port, 'health');
      const health = c.ports?.find((p) => p.name === 'health');
      assert.equal(health?.containerPort, 8081);
      assert.ok(
        c.resources?.requests?.cpu !== undefined && c.resources.limits?.memory !== undefined,
      );
    });

    it('tells the pod its namespace through the downward API', () => {
      const podNs = container(objects).env?.find((e) => e.name === 'POD_NAMESPACE');
      assert.equal(podNs?.valueFrom?.fieldRef?.fieldPath, 'metadata.namespace');
    });

    it('spreads replicas across zones and has a PodDisruptionBudget', () => {
      const spread = deployment(objects).spec?.template.spec?.topologySpreadConstraints ?? [];
      assert.ok(spread.some((t) => t.topologyKey === 'topology.kubernetes.io/zone'));
      const pdb = only(objects, 'PodDisruptionBudget') as unknown as V1PodDisruptionBudget;
      assert.equal(pdb.spec?.maxUnavailable, 1);
      assert.deepEqual(
        pdb.spec.selector?.matchLabels,
        deployment(objects).spec?.selector.matchLabels,
      );
      assert.equal(deployment(objects).spec?.template.spec?.priorityClassName, undefined);
    });

    it('grants no wildcard and nothing cluster-admin-like', () => {
      for (const kind of ['ClusterRole', 'Role'] as const) {
        for (const r of rules(objects, kind)) {
          for (const field of [r.apiGroups, r.resources, r.verbs, r.resourceNames]) {
            assert.ok(!(field ?? []).includes('*'), `${kind} rule ${JSON.stringify(r)}`);
          }
          // The only delete: a multi-cluster TargetGroupBinding's ownership ConfigMap.
          if (r.verbs.includes('delete')) assert.deepEqual(r.resources, ['configmaps']);
          assert.ok(!r.verbs.includes('deletecollection'));
          assert.ok(!r.verbs.includes('escalate') && !r.verbs.includes('bind'));
          assert.ok(!r.verbs.includes('impersonate'));
        }
      }
      const cluster = rules(objects, 'ClusterRole');
      // Only its own webhook configuration, by name.
      assert.ok(grants(cluster, 'mutatingwebhookconfigurations', 'patch', 'albatross-webhook'));
      assert.ok(
        cluster
          .filter((r) => r.resources?.includes('mutatingwebhookconfigurations') === true)
          .every((r) => (r.resourceNames ?? []).length > 0),
      );
      // Secrets are read cluster-wide but written only in its namespace, by name.
      assert.ok(!grants(cluster, 'secrets', 'create') && !grants(cluster, 'secrets', 'update'));
      // OIDC Secrets are listed and watched by name only (field selector): never a get.
      assert.ok(grants(cluster, 'secrets', 'list') && grants(cluster, 'secrets', 'watch'));
      assert.ok(!grants(cluster, 'secrets', 'get'));
      const ns = rules(objects, 'Role');
      assert.ok(grants(ns, 'secrets', 'update', 'albatross-webhook-tls'));
      assert.ok(grants(ns, 'secrets', 'watch', 'albatross-webhook-tls'));
      // The digest key: made once, then read by name.
      assert.ok(grants(ns, 'secrets', 'create'));
      assert.ok(grants(ns, 'secrets', 'get', 'albatross-digest-key'));
      assert.ok(
        ns
          .filter((r) => r.resources?.includes('secrets') === true && r.verbs.includes('get'))
          .every((r) => (r.resourceNames ?? []).length > 0),
      );
      const a = args(objects);
      assert.ok(a.includes('--digest-key-secret-name=albatross-digest-key'));
      assert.ok(a.includes(`--digest-key-secret-namespace=${NS}`));
      assert.ok(grants(ns, 'leases', 'update', 'albatross-leader'));
      assert.ok(grants(ns, 'leases', 'create'));
    });

    it('renders the readiness-gate webhook contract exactly', () => {
      const svc = only(objects, 'Service', 'albatross-webhook') as unknown as V1Service;
      assert.deepEqual(
        svc.spec?.ports?.map((p) => [p.port, p.targetPort]),
        [[443, 'webhook-server']],
      );
      const port = container(objects).ports?.find((p) => p.name === 'webhook-server');
      assert.equal(port?.containerPort, 9443);
      const mwc = only(
        objects,
        'MutatingWebhookConfiguration',
        'albatross-webhook',
      ) as unknown as V1MutatingWebhookConfiguration;
      assert.equal(mwc.webhooks?.length, 1);
      const [hook] = mwc.webhooks ?? [];
      assert.equal(hook?.name, 'pod-readiness-gate.albatross.dev');
      assert.deepEqual(hook.clientConfig.service, {
        name: 'albatross-webhook',
        namespace: NS,
        path: '/mutate-v1-pod',
        port: 443,
      });
      assert.equal(hook.clientConfig.caBundle, undefined);
      assert.deepEqual(hook.namespaceSelector, {
        matchLabels: { 'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled' },
      });
      assert.deepEqual(hook.rules, [
        { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] },
      ]);
      assert.equal(hook.failurePolicy, 'Ignore');
      assert.equal(hook.sideEffects, 'None');
      assert.deepEqual(hook.admissionReviewVersions, ['v1']);
      assert.equal(hook.timeoutSeconds, 5);
      const a = args(objects);
      for (const flag of [
        '--webhook-port=9443',
        '--webhook-configuration-name=albatross-webhook',
        '--webhook-service-name=albatross-webhook',
        `--webhook-service-namespace=${NS}`,
        '--webhook-secret-name=albatross-webhook-tls',
      ]) {
        assert.ok(a.includes(flag), `args ${JSON.stringify(a)} include ${flag}`);
      }
    });

    it('creates the alb IngressClass for albatross.dev/alb, not the default one', () => {
      const cls = only(objects, 'IngressClass', 'alb') as unknown as V1IngressClass;
      assert.equal(cls.spec?.controller, 'albatross.dev/alb');
      assert.equal(
        cls.metadata?.annotations?.['ingressclass.kubernetes.io/is-default-class'],
        undefined,
      );
      assert.equal(cls.spec.parameters, undefined);
      // helm uninstall leaves the class: see the chart-install test
      assert.equal(cls.metadata?.annotations?.['helm.sh/resource-policy'], 'keep');
    });

    it('limits traffic to the API server, DNS and AWS, and in to its ports', () => {
      const np = only(objects, 'NetworkPolicy') as unknown as V1NetworkPolicy;
      assert.deepEqual(np.spec?.policyTypes, ['Ingress', 'Egress']);
      const egressPorts = (np.spec.egress ?? []).map((e) =>
        (e.ports ?? []).map((p) => `${String(p.port)}/${p.protocol ?? ''}`).join(','),
      );
      assert.deepEqual(egressPorts, ['443/TCP,6443/TCP', '53/UDP,53/TCP', '443/TCP', '80/TCP']);
      // The last: EKS Pod Identity's agent, where the pod gets its credentials.
      assert.deepEqual(np.spec.egress?.[3]?.to, [
        { ipBlock: { cidr: '169.254.170.23/32' } },
        { ipBlock: { cidr: 'fd00:ec2::23/128' } },
      ]);
      const ingressPorts = (np.spec.ingress ?? []).flatMap((i) =>
        (i.ports ?? []).map((p) => p.port),
      );
      assert.deepEqual(ingressPorts, [8080, 8081, 9443]);
    });

    it('has a metrics Service on the metrics port, and no ServiceMonitor', () => {
      const svc = only(objects, 'Service', 'albatross-metrics') as unknown as V1Service;
      assert.deepEqual(
        svc.spec?.ports?.map((p) => p.port),
        [8080],
      );
      assert.ok(!kinds(objects).includes('ServiceMonitor'));
    });

    it('annotates no IRSA role unless given one', () => {
      const sa = only(objects, 'ServiceAccount') as unknown as V1ServiceAccount;
      assert.equal(sa.metadata?.annotations?.['eks.amazonaws.com/role-arn'], undefined);
      assert.equal(deployment(objects).spec?.template.spec?.serviceAccountName, 'albatross');
    });
  });

  describe('non-default values', () => {
    it('rbac.oidcSecretNames: the Secret rule of the ClusterRole names them only', () => {
      const objects = render({ rbac: { oidcSecretNames: ['oidc-client', 'sso'] } });
      const secretRules = rules(objects, 'ClusterRole').filter(
        (r) => r.resources?.includes('secrets') === true,
      );
      assert.deepEqual(
        secretRules.map((r) => ({ verbs: r.verbs, names: r.resourceNames })),
        [{ verbs: ['list', 'watch'], names: ['oidc-client', 'sso'] }],
      );
    });

    it('webhook.enabled=false: no webhook objects, --webhook-port=0, no webhook permissions', () => {
      const objects = render({ webhook: { enabled: false } });
      assert.ok(!kinds(objects).includes('MutatingWebhookConfiguration'));
      assert.ok(!objects.some((o) => o.metadata.name === 'albatross-webhook'));
      const a = args(objects);
      assert.deepEqual(
        a.filter((x) => x.startsWith('--webhook-')),
        ['--webhook-port=0'],
      );
      assert.equal(
        container(objects).ports?.find((p) => p.name === 'webhook-server'),
        undefined,
      );
      assert.ok(!grants(rules(objects, 'ClusterRole'), 'mutatingwebhookconfigurations', 'patch'));
      assert.ok(!grants(rules(objects, 'Role'), 'secrets', 'update'));
      const np = only(objects, 'NetworkPolicy') as unknown as V1NetworkPolicy;
      assert.ok(!(np.spec?.ingress ?? []).some((i) => i.ports?.some((p) => p.port === 9443)));
    });

    it('webhook.certManager.enabled: Issuer + Certificate, CA injected, Secret mounted', () => {
      const objects = render({ webhook: { certManager: { enabled: true } } });
      const cert = only(objects, 'Certificate', 'albatross-webhook');
      const spec = cert.spec as { secretName: string; dnsNames: string[]; issuerRef: unknown };
      assert.equal(spec.secretName, 'albatross-webhook-tls');
      assert.ok(spec.dnsNames.includes(`albatross-webhook.${NS}.svc`));
      assert.deepEqual(spec.issuerRef, { kind: 'Issuer', name: 'albatross-selfsigned' });
      only(objects, 'Issuer', 'albatross-selfsigned');
      const mwc = only(
        objects,
        'MutatingWebhookConfiguration',
      ) as unknown as V1MutatingWebhookConfiguration;
      assert.equal(
        mwc.metadata?.annotations?.['cert-manager.io/inject-ca-from'],
        `${NS}/albatross-webhook`,
      );
      const c = container(objects);
      const mount = c.volumeMounts?.find((m) => m.name === 'webhook-certs');
      assert.ok(mount?.readOnly === true);
      const volume = deployment(objects).spec?.template.spec?.volumes?.find(
        (v) => v.name === 'webhook-certs',
      );
      assert.equal(volume?.secret?.secretName, 'albatross-webhook-tls');
      const a = args(objects);
      assert.ok(a.includes(`--webhook-cert-dir=${mount.mountPath}`));
      assert.ok(a.includes('--webhook-port=9443'));
      assert.ok(!a.some((x) => x.startsWith('--webhook-secret-name')));
      // cert-manager does the certificate work: the controller gets no access to it.
      assert.ok(!grants(rules(objects, 'Role'), 'secrets', 'update'));
      assert.ok(!grants(rules(objects, 'ClusterRole'), 'mutatingwebhookconfigurations', 'patch'));
    });

    it('webhook.failurePolicy=Fail and objectSelector: pods refused while the webhook is down, only in labelled namespaces other than the release one, only those selected', () => {
      const objectSelector = {
        matchLabels: { team: 'shop' },
        matchExpressions: [{ key: 'canary', operator: 'DoesNotExist' }],
      };
      const objects = render({ webhook: { failurePolicy: 'Fail', objectSelector } });
      const mwc = only(
        objects,
        'MutatingWebhookConfiguration',
      ) as unknown as V1MutatingWebhookConfiguration;
      const [hook] = mwc.webhooks ?? [];
      assert.equal(hook?.failurePolicy, 'Fail');
      // The controller's own pods must start while it is down, or it never comes back.
      assert.deepEqual(hook.namespaceSelector, {
        matchLabels: { 'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled' },
        matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: [NS] }],
      });
      assert.deepEqual(hook.objectSelector, objectSelector);
      // By default: Ignore, every pod of a labelled namespace, the release namespace too.
      const [plain] =
        (
          only(
            render(),
            'MutatingWebhookConfiguration',
          ) as unknown as V1MutatingWebhookConfiguration
        ).webhooks ?? [];
      assert.equal(plain?.failurePolicy, 'Ignore');
      assert.equal(plain.objectSelector, undefined);
    });

    it('webhook.certManager.issuerRef: uses that issuer and creates none', () => {
      const objects = render({
        webhook: {
          certManager: { enabled: true, issuerRef: { name: 'corp-ca', kind: 'ClusterIssuer' } },
        },
      });
      assert.ok(!kinds(objects).includes('Issuer'));
      const spec = only(objects, 'Certificate').spec as { issuerRef: unknown };
      assert.deepEqual(spec.issuerRef, { name: 'corp-ca', kind: 'ClusterIssuer' });
    });

    it('networkPolicy.enabled=false: no NetworkPolicy', () => {
      assert.ok(!kinds(render({ networkPolicy: { enabled: false } })).includes('NetworkPolicy'));
    });

    it('networkPolicy.podIdentityAgent=false (IRSA): no egress to the Pod Identity agent', () => {
      const objects = render({ networkPolicy: { podIdentityAgent: false } });
      const np = only(objects, 'NetworkPolicy') as unknown as V1NetworkPolicy;
      assert.equal(np.spec?.egress?.length, 3);
      assert.ok(!JSON.stringify(np.spec.egress).includes('169.254.170.23'));
    });

    it('networkPolicy.apiServer.cidrs and metricsFrom narrow the policy', () => {
      const objects = render({
        networkPolicy: {
          apiServer: { cidrs: ['10.100.0.0/16'] },
          metricsFrom: [{ namespaceSelector: { matchLabels: { name: 'monitoring' } } }],
        },
      });
      const np = only(objects, 'NetworkPolicy') as unknown as V1NetworkPolicy;
      assert.deepEqual(np.spec?.egress?.[0]?.to, [{ ipBlock: { cidr: '10.100.0.0/16' } }]);
      assert.deepEqual((np.spec.ingress?.[0] as { from?: unknown } | undefined)?.from, [
        { namespaceSelector: { matchLabels: { name: 'monitoring' } } },
      ]);
    });

    it('serviceMonitor.enabled: a ServiceMonitor that selects the metrics Service', () => {
      const objects = render({ serviceMonitor: { enabled: true, labels: { release: 'prom' } } });
      const sm = only(objects, 'ServiceMonitor');
      assert.equal(sm.apiVersion, 'monitoring.coreos.com/v1');
      assert.equal(
        sm.metadata.labels !== undefined && (sm.metadata.labels as Record<string, string>).release,
        'prom',
      );
      const spec = sm.spec as {
        selector: { matchLabels: Record<string, string> };
        endpoints: { port: string }[];
      };
      const svc = only(objects, 'Service', 'albatross-metrics') as unknown as V1Service;
      for (const [k, v] of Object.entries(spec.selector.matchLabels)) {
        assert.equal(svc.metadata?.labels?.[k], v, `the metrics Service has label ${k}=${v}`);
      }
      assert.equal(spec.endpoints[0]?.port, svc.spec?.ports?.[0]?.name);
    });

    it('serviceMonitor without the metrics Service fails with a message', () => {
      assert.throws(
        () =>
          render({ serviceMonitor: { enabled: true }, metrics: { service: { enabled: false } } }),
        /serviceMonitor.enabled needs metrics.service.enabled/,
      );
    });

    it('ingressClass.default and ingressClassParams.create: default class with parameters', () => {
      const objects = render({
        ingressClass: { name: 'alb-public', default: true },
        ingressClassParams: {
          create: true,
          spec: { scheme: 'internet-facing', group: { name: 'shared' } },
        },
      });
      const cls = only(objects, 'IngressClass', 'alb-public') as unknown as V1IngressClass;
      assert.equal(
        cls.metadata?.annotations?.['ingressclass.kubernetes.io/is-default-class'],
        'true',
      );
      assert.deepEqual(cls.spec?.parameters, {
        apiGroup: 'elbv2.k8s.aws',
        kind: 'IngressClassParams',
        name: 'alb-public',
      });
      const params = only(objects, 'IngressClassParams', 'alb-public');
      assert.deepEqual(params.spec, { scheme: 'internet-facing', group: { name: 'shared' } });
      assert.ok(args(objects).includes('--ingress-class=alb-public'));
    });

    it('ingressClass.keepOnUninstall false: helm uninstall deletes the class and its params', () => {
      const objects = render({
        ingressClass: { keepOnUninstall: false },
        ingressClassParams: { create: true },
      });
      for (const kind of ['IngressClass', 'IngressClassParams']) {
        const obj = only(objects, kind) as unknown as V1IngressClass;
        assert.equal(obj.metadata?.annotations?.['helm.sh/resource-policy'], undefined, kind);
      }
      const kept = only(render({ ingressClassParams: { create: true } }), 'IngressClassParams');
      assert.equal(
        (kept as unknown as V1IngressClass).metadata?.annotations?.['helm.sh/resource-policy'],
        'keep',
      );
    });

    it('ingressClass.parametersName points at an existing IngressClassParams', () => {
      const objects = render({ ingressClass: { parametersName: 'team-a' } });
      const cls = only(objects, 'IngressClass') as unknown as V1IngressClass;
      assert.equal(cls.spec?.parameters?.name, 'team-a');
      assert.ok(!kinds(objects).includes('IngressClassParams'));
    });

    it('serviceAccount.roleArn: the IRSA annotation', () => {
      const arn = 'arn:aws:iam::123456789012:role/albatross';
      const objects = render({ serviceAccount: { roleArn: arn, annotations: { team: 'net' } } });
      const sa = only(objects, 'ServiceAccount') as unknown as V1ServiceAccount;
      assert.deepEqual(sa.metadata?.annotations, {
        team: 'net',
        'eks.amazonaws.com/role-arn': arn,
      });
    });

    it('priorityClassName: set on the pod', () => {
      const objects = render({ priorityClassName: 'system-cluster-critical' });
      assert.equal(
        deployment(objects).spec?.template.spec?.priorityClassName,
        'system-cluster-critical',
      );
    });

    it('replicaCount=1: no PodDisruptionBudget, which would block node drains', () => {
      const objects = render({ replicaCount: 1 });
      assert.equal(deployment(objects).spec?.replicas, 1);
      assert.ok(!kinds(objects).includes('PodDisruptionBudget'));
    });

    it('replicaCount=3 with maxUnavailable 50%: the budget follows', () => {
      const objects = render({ replicaCount: 3, podDisruptionBudget: { maxUnavailable: '50%' } });
      const pdb = only(objects, 'PodDisruptionBudget') as unknown as V1PodDisruptionBudget;
      assert.equal(pdb.spec?.maxUnavailable, '50%');
    });

    it('extraArgs, region, vpcId, logLevel, watchNamespace: passed as flags the controller accepts', () => {
      const objects = render({
        region: 'eu-west-1',
        vpcId: 'vpc-0abc12345def67890',
        logLevel: 'debug',
        watchNamespace: 'shop',
        extraArgs: ['--default-scheme=internet-facing', '--workers=8'],
      });
      const a = args(objects);
      for (const flag of [
        '--aws-region=eu-west-1',
        '--aws-vpc-id=vpc-0abc12345def67890',
        '--log-level=debug',
        '--watch-namespace=shop',
        '--default-scheme=internet-facing',
        '--workers=8',
      ]) {
        assert.ok(a.includes(flag), flag);
      }
      const parsed = parseArgs(a);
      assert.equal(parsed.kind, 'ok', JSON.stringify(parsed));
      assert.equal(parsed.options.workers, 8);
      assert.equal(parsed.options.translate.defaultScheme, 'internet-facing');
      assert.equal(parsed.options.aws.vpcId, 'vpc-0abc12345def67890');
      assert.equal(parsed.options.watchNamespace, 'shop');
    });

    it('leaderElection.enabled=false: the controller runs without a Lease', () => {
      const parsed = parseArgs(args(render({ leaderElection: { enabled: false } })));
      assert.equal(parsed.kind, 'ok');
      assert.equal(parsed.options.leaderElection.enabled, false);
    });

    it('image, env, nodeSelector, tolerations, affinity, pod labels: on the pod', () => {
      const objects = render({
        image: { repository: 'registry.example/albatross', tag: '1.2.3', pullPolicy: 'Always' },
        env: [{ name: 'NODE_OPTIONS', value: '--max-old-space-size=256' }],
        nodeSelector: { 'kubernetes.io/os': 'linux' },
        tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }],
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchExpressions: [{ key: 'arch', operator: 'In', values: ['arm64'] }] },
              ],
            },
          },
        },
        podLabels: { team: 'net' },
      });
      const c = container(objects);
      assert.equal(c.image, 'registry.example/albatross:1.2.3');
      assert.equal(c.imagePullPolicy, 'Always');
      assert.ok(c.env?.some((e) => e.name === 'NODE_OPTIONS'));
      assert.ok(c.env?.some((e) => e.name === 'POD_NAMESPACE'));
      const pod = deployment(objects).spec?.template;
      assert.deepEqual(pod?.spec?.nodeSelector, { 'kubernetes.io/os': 'linux' });
      assert.equal(pod.spec.tolerations?.[0]?.key, 'CriticalAddonsOnly');
      assert.ok(pod.spec.affinity?.nodeAffinity !== undefined);
      assert.equal(pod.metadata?.labels?.team, 'net');
    });

    it('a release name other than albatross prefixes every object and flag consistently', () => {
      const result = helm([
        'template',
        'edge',
        chartDir,
        '--namespace',
        NS,
        '--set',
        'clusterName=c1',
      ]);
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /name: edge-albatross-webhook\n/);
      assert.match(result.stdout, /--webhook-service-name=edge-albatross-webhook\n/);
      assert.match(result.stdout, /--webhook-secret-name=edge-albatross-webhook-tls\n/);
      assert.match(result.stdout, /--leader-election-name=edge-albatross-leader\n/);
      assert.match(result.stdout, /resourceNames: \["edge-albatross-leader"\]/);
    });
  });
});
