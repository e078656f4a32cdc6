/**
 * Every object the chart renders is accepted by the real API server: the chart's CRDs
 * are applied for real first (installCrds, the files `helm install` ships from crds/),
 * then each rendered object is server-side applied with dryRun=All into a fresh release
 * namespace, for the default values and a table of non-default ones. The API server
 * validates each against its OpenAPI schema (and a CRD's), so a misplaced field, a wrong
 * type or a bad enum fails here, not at a user's `helm install`.
 *
 * ServiceMonitor (Prometheus Operator) and Issuer/Certificate (cert-manager) have no CRD
 * in the test API server: stand-ins under fixtures/ with their real group, version,
 * kind and scope are installed first (see each file for what it checks).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import {
  ApiextensionsV1Api,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { parse } from 'yaml';
import { chartCrds, installCrds } from '../../env/crds.ts';
import { helm, chartDir, renderChart, type Rendered } from '../../env/helm.ts';
import { useTestEnv } from '../../env/testenv.ts';

const fixtures = join(import.meta.dirname, 'fixtures');

const cases: readonly { readonly name: string; readonly values: Record<string, unknown> }[] = [
  { name: 'default values', values: {} },
  { name: 'webhook off', values: { webhook: { enabled: false } } },
  { name: 'cert-manager', values: { webhook: { certManager: { enabled: true } } } },
  {
    name: 'webhook failurePolicy Fail with an objectSelector',
    values: {
      webhook: {
        failurePolicy: 'Fail',
        objectSelector: {
          matchLabels: { team: 'shop' },
          matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'api'] }],
        },
      },
    },
  },
  { name: 'network policy off', values: { networkPolicy: { enabled: false } } },
  {
    name: 'service monitor, narrowed network policy',
    values: {
      serviceMonitor: { enabled: true, labels: { release: 'prom' } },
      networkPolicy: {
        apiServer: { cidrs: ['10.100.0.0/16', '192.168.0.10/32'] },
        metricsFrom: [{ namespaceSelector: { matchLabels: { name: 'monitoring' } } }],
      },
    },
  },
  {
    name: 'default class, IRSA, priority class, one replica, extra args',
    values: {
      ingressClass: { name: 'alb-default', default: true },
      serviceAccount: { roleArn: 'arn:aws:iam::123456789012:role/albatross' },
      priorityClassName: 'system-cluster-critical',
      replicaCount: 1,
      region: 'eu-west-1',
      vpcId: 'vpc-0abc12345def67890',
      extraArgs: ['--default-scheme=internet-facing'],
      env: [{ name: 'NODE_OPTIONS', value: '--max-old-space-size=256' }],
      tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }],
      podDisruptionBudget: { maxUnavailable: '50%' },
    },
  },
  {
    name: 'IngressClassParams from values',
    values: {
      ingressClass: { name: 'alb-internet' },
      ingressClassParams: {
        create: true,
        spec: { scheme: 'internet-facing', group: { name: 'shared' }, ipAddressType: 'dualstack' },
      },
    },
  },
];

describe('helm chart: every rendered object is accepted by the API server', () => {
  const testEnv = useTestEnv();
  let objects: KubernetesObjectApi;
  let installed: Set<string>;

  before(async () => {
    const { env } = testEnv;
    objects = KubernetesObjectApi.makeApiClient(env.kc);
    installed = new Set(await installCrds(env));
    const ext = env.kc.makeApiClient(ApiextensionsV1Api);
    for (const file of readdirSync(fixtures).sort()) {
      const crd = parse(readFileSync(join(fixtures, file), 'utf8')) as V1CustomResourceDefinition;
      const name = crd.metadata?.name ?? file;
      await ext.patchCustomResourceDefinition(
        { name, body: crd, fieldManager: 'albatross-tests', force: true },
        setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
      );
      const deadline = Date.now() + 30_000;
      for (;;) {
        const got = await ext.readCustomResourceDefinition({ name });
        if (got.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'))
          break;
        if (Date.now() > deadline) throw new Error(`fixture CRD ${name} not Established`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      installed.add(name);
    }
  });

  /** The CRD each custom kind the chart renders needs. */
  const crdOfKind: Readonly<Record<string, string>> = {
    IngressClassParams: 'ingressclassparams.elbv2.k8s.aws',
    ServiceMonitor: 'servicemonitors.monitoring.coreos.com',
    Issuer: 'issuers.cert-manager.io',
    Certificate: 'certificates.cert-manager.io',
  };

  async function dryRunApply(object: Rendered): Promise<void> {
    try {
      await objects.patch(
        object,
        undefined,
        'All',
        'albatross-chart-test',
        true,
        PatchStrategy.ServerSideApply,
      );
    } catch (err) {
      const body = (err as { body?: unknown }).body;
      throw new Error(
        `${object.kind}/${object.metadata.name} refused: ${typeof body === 'string' ? body : String(err)}`,
        { cause: err },
      );
    }
  }

  it('helm template --include-crds ships every file of crds/, and each is Established', () => {
    const result = helm([
      'template',
      'albatross',
      chartDir,
      '--include-crds',
      '--set',
      'clusterName=c1',
    ]);
    assert.equal(result.status, 0, result.stderr);
    for (const crd of chartCrds()) {
      const name = crd.metadata?.name ?? '';
      assert.match(result.stdout, new RegExp(`name: ${name.replaceAll('.', '\\.')}\\n`), name);
      assert.ok(installed.has(name), `${name} installed`);
    }
  });

  for (const c of cases) {
    it(c.name, async (t) => {
      const ns = await testEnv.env.freshNamespace('chart');
      const rendered = renderChart({ clusterName: 'prod-eu', ...c.values }, ns);
      assert.ok(rendered.length >= 8, `rendered ${String(rendered.length)} objects`);
      for (const object of rendered) {
        const crd = crdOfKind[object.kind];
        if (crd !== undefined && !installed.has(crd)) {
          // The IngressClassParams CRD is written on another branch: until its file is in
          // crds/, an IngressClassParams cannot be checked, and the test says so.
          t.diagnostic(
            `not checked: ${object.kind}/${object.metadata.name} (${crd} is not in helm/albatross/crds)`,
          );
          continue;
        }
        await dryRunApply(object);
      }
    });
  }

  it('a wrong object is refused (the dry run checks something)', async () => {
    const ns = await testEnv.env.freshNamespace('chart');
    const [deployment] = renderChart({ clusterName: 'prod-eu' }, ns).filter(
      (o) => o.kind === 'Deployment',
    );
    assert.ok(deployment);
    const broken = structuredClone(deployment) as Rendered & {
      spec: { template: { spec: { containers: { ports: { containerPort: unknown }[] }[] } } };
    };
    const port = broken.spec.template.spec.containers[0]?.ports[0];
    assert.ok(port);
    port.containerPort = 70000;
    await assert.rejects(dryRunApply(broken), /containerPort|65535/);
  });
});
