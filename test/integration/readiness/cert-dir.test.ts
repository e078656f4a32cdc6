/**
 * The webhook in cert-manager mode (--webhook-cert-dir): it serves tls.crt/tls.key from
 * the directory and picks up a rotation without a restart; the caBundle is left to
 * cert-manager's cainjector (here: the test, acting for it) and no Secret is made.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AdmissionregistrationV1Api,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { CA_BUNDLE_KEY, ReadinessGates } from '../../../controller/readiness/readiness-gates.ts';
import { createLogger } from '../../../controller/log.ts';
import type { WebhookConfig } from '../../../controller/config.ts';
import {
  createCa,
  createServingCert,
  type CertPair,
} from '../../../controller/webhook/self-managed-cert.ts';
import { READINESS_GATE_INJECT_LABEL } from '../../../pkg/translate/index.ts';
import {
  startInProcessReconciler,
  type InProcessReconciler,
} from '../../env/in-process-reconciler.ts';
import { freePort } from '../../env/ports.ts';
import { useTestEnv } from '../../env/testenv.ts';
import { eventually, ingress } from '../k8s/helpers.ts';
import { createPodUntil, gatesOf, pod, webhookConfiguration } from './helpers.ts';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const log = createLogger({ level: 'error' });

const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

describe('pod readiness gates (cert-manager mode)', () => {
  const testEnv = useTestEnv();
  let harness: InProcessReconciler;
  let gates: ReadinessGates;
  let ns: string;
  let dir: string;
  let webhook: WebhookConfig;
  let admission: AdmissionregistrationV1Api;

  /** What cert-manager does: a CA-signed pair in the mounted directory. */
  const issue = async (): Promise<CertPair> => {
    const ca = await createCa(Date.now(), 'cert-manager-test-ca');
    const serving = await createServingCert(ca, ['127.0.0.1'], Date.now());
    await writeFile(join(dir, 'tls.crt'), serving.cert);
    await writeFile(join(dir, 'tls.key'), serving.key);
    return ca;
  };

  before(async () => {
    const env = testEnv.env;
    ns = await env.freshNamespace('certdir');
    dir = await mkdtemp(join(tmpdir(), 'albatross-certdir-'));
    harness = await startInProcessReconciler(env, { namespace: ns });
    const { core, net } = harness;
    await core.patchNamespace(
      { name: ns, body: { metadata: { labels: { [READINESS_GATE_INJECT_LABEL]: 'enabled' } } } },
      mergePatch,
    );
    await core.createNamespacedService({
      namespace: ns,
      body: {
        metadata: { name: 'web', namespace: ns },
        spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
      },
    });
    await net.createNamespacedIngress({
      namespace: ns,
      body: ingress(ns, 'web', {
        services: ['web'],
        annotations: { 'alb.ingress.kubernetes.io/target-type': 'ip' },
      }),
    });
    await eventually('cached', () =>
      harness.caches.ingresses.get('web', ns) !== undefined &&
      harness.caches.services.get('web', ns) !== undefined
        ? true
        : undefined,
    );
    const ca = await issue();
    const port = await freePort();
    webhook = {
      port,
      certDir: dir,
      configurationName: `albatross-webhook-${ns}`,
      serviceName: 'albatross-webhook',
      serviceNamespace: ns,
      secretName: 'albatross-webhook-tls',
      extraSans: [],
    };
    admission = env.kc.makeApiClient(AdmissionregistrationV1Api);
    await admission.createMutatingWebhookConfiguration({
      body: webhookConfiguration(webhook.configurationName, port, base64(ca.cert)),
    });
    gates = new ReadinessGates({
      webhook,
      kc: env.kc,
      caches: harness.caches,
      aws: harness.aws,
      translate: harness.translate,
      log,
      host: '127.0.0.1',
      watchNamespace: ns,
    });
    await gates.start(() => undefined);
  });

  after(async () => {
    await gates.stop();
    await admission
      .deleteMutatingWebhookConfiguration({ name: webhook.configurationName })
      .catch(() => undefined);
    await harness.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the directory certificate: the API server calls it and the pod gets its gate', async () => {
    const created = await createPodUntil(
      harness.core,
      pod(ns, 'web-1', { app: 'web' }),
      (p) => gatesOf(p).length > 0,
    );
    const gateNames = gatesOf(created);
    assert.equal(gateNames.length, 1);
    assert.match(gateNames[0] ?? '', /^target-health\.elbv2\.k8s\.aws\/k8s-certdir-/);
  });

  it('leaves the caBundle and Secrets to cert-manager', async () => {
    assert.deepEqual(gates.keys(), ['readiness-gates:', 'ungated-pods:']);
    const before = await admission.readMutatingWebhookConfiguration({
      name: webhook.configurationName,
    });
    await gates.process(CA_BUNDLE_KEY, new AbortController().signal);
    const after = await admission.readMutatingWebhookConfiguration({
      name: webhook.configurationName,
    });
    assert.equal(after.metadata?.resourceVersion, before.metadata?.resourceVersion);
    // The only Secret of ours is the cluster's digest key (OIDC secrets): no webhook TLS one.
    const secrets = await harness.core.listNamespacedSecret({ namespace: ns });
    assert.deepEqual(
      secrets.items.map((s) => s.metadata?.name),
      ['albatross-digest-key'],
    );
  });

  it('picks up a rotated certificate without a restart', async () => {
    // WHEN cert-manager rotates to a new CA, and cainjector puts only the new CA in the bundle
    const ca = await issue();
    await admission.patchMutatingWebhookConfiguration(
      {
        name: webhook.configurationName,
        body: [
          { op: 'replace', path: '/webhooks/0/clientConfig/caBundle', value: base64(ca.cert) },
        ],
      },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    // THEN within the reload period the API server trusts the server again
    const created = await createPodUntil(
      harness.core,
      pod(ns, 'web-2', { app: 'web' }),
      (p) => gatesOf(p).length > 0,
      20_000,
    );
    assert.equal(gatesOf(created).length, 1);
  });
});
