/**
 * Pod readiness gates against the real API server and the emulator.
 *
 * The test API server calls our webhook over TLS: a MutatingWebhookConfiguration points
 * at https://127.0.0.1:<port>/mutate-v1-pod with an empty caBundle, and the controller's
 * self-managed certificate (with a 127.0.0.1 SAN) and its caBundle keeper fill it in.
 * There is no kubelet: the tests set the pods' IP and ContainersReady themselves, as
 * they create EndpointSlices themselves.
 *
 * moto reports every registered target `healthy` at once (and a registered-then-removed
 * one `unused`): the "healthy" half is what it can show; "not yet healthy" is shown as
 * not yet registered (see test/env/moto-differences.md).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AdmissionregistrationV1Api,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { ReadinessGates, CA_BUNDLE_KEY } from '../../../controller/readiness/readiness-gates.ts';
import { READINESS_GATES_KEY } from '../../../controller/readiness/pod-conditions.ts';
import { createLogger } from '../../../controller/log.ts';
import type { WebhookConfig } from '../../../controller/config.ts';
import { discoverStack } from '../../../pkg/deploy/index.ts';
import { READINESS_GATE_INJECT_LABEL } from '../../../pkg/translate/index.ts';
import {
  startInProcessReconciler,
  type InProcessReconciler,
} from '../../env/in-process-reconciler.ts';
import { allocatePodIps } from '../../env/pod-ips.ts';
import { freePort } from '../../env/ports.ts';
import { useTestEnv } from '../../env/testenv.ts';
import { eventually, ingress } from '../k8s/helpers.ts';
import {
  createPodUntil,
  holdPodBehindGate,
  gatesOf,
  pod,
  webhookConfiguration,
} from './helpers.ts';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const strategicMerge = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
const GATE_PREFIX = 'target-health.elbv2.k8s.aws/';
const log = createLogger({ level: process.env.ALBATROSS_TEST_LOGS === '1' ? 'debug' : 'error' });

describe('pod readiness gates (self-managed certificate)', () => {
  const testEnv = useTestEnv();
  let harness: InProcessReconciler;
  let gates: ReadinessGates | undefined;
  let ns: string;
  let plainNs: string;
  let webhook: WebhookConfig;
  let admission: AdmissionregistrationV1Api;
  let tgName: string;
  let podIps: string[];
  const signal = new AbortController().signal;
  const enqueued: string[] = [];

  const start = async (): Promise<ReadinessGates> => {
    const g = new ReadinessGates({
      webhook,
      kc: testEnv.env.kc,
      caches: harness.caches,
      aws: harness.aws,
      translate: harness.translate,
      log,
      mapper: harness.mapper,
      host: '127.0.0.1',
      // Earlier runs' pods live on in their namespaces (namespaces never finish deleting here).
      watchNamespace: ns,
    });
    await g.start((key) => enqueued.push(key));
    await eventually('gated pods cached', () => (g.hasSynced() ? true : undefined));
    return g;
  };

  before(async () => {
    const env = testEnv.env;
    await env.resetAws();
    ns = await env.freshNamespace('gates');
    plainNs = await env.freshNamespace('nogates');
    podIps = await allocatePodIps(env, 3);
    harness = await startInProcessReconciler(env, {
      reconciler: { gatedAddresses: () => gates?.gatedAddresses() ?? new Map() },
    });
    const { core, net } = harness;
    await core.patchNamespace(
      { name: ns, body: { metadata: { labels: { [READINESS_GATE_INJECT_LABEL]: 'enabled' } } } },
      mergePatch,
    );
    for (const namespace of [ns, plainNs]) {
      await core.createNamespacedService({
        namespace,
        body: {
          metadata: { name: 'web', namespace },
          spec: {
            selector: { app: 'web' },
            ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
          },
        },
      });
      await net.createNamespacedIngress({
        namespace,
        body: ingress(namespace, 'web', {
          services: ['web'],
          annotations: { 'alb.ingress.kubernetes.io/target-type': 'ip' },
        }),
      });
    }
    await eventually('cached', () =>
      harness.caches.ingresses.get('web', ns) !== undefined &&
      harness.caches.services.get('web', ns)?.spec?.selector !== undefined
        ? true
        : undefined,
    );
    // The group is applied once, so the target group exists (with no targets yet).
    await harness.reconciler.reconcile(`${ns}/web`, signal);
    const actual = await discoverStack(
      { clusterName: env.clusterName, vpcId: env.world.vpcId, clients: harness.aws },
      `${ns}/web`,
    );
    const tg = actual?.targetGroups[0];
    assert.ok(tg !== undefined, 'the ip target group exists');
    tgName = tg.name;

    const port = await freePort();
    webhook = {
      port,
      configurationName: `albatross-webhook-${ns}`,
      serviceName: 'albatross-webhook',
      serviceNamespace: ns,
      secretName: 'albatross-webhook-tls',
      extraSans: ['127.0.0.1'],
    };
    admission = env.kc.makeApiClient(AdmissionregistrationV1Api);
    // As the chart installs it: no caBundle; the controller's leader fills it in.
    await admission.createMutatingWebhookConfiguration({
      body: webhookConfiguration(webhook.configurationName, port),
    });
    gates = await start();
    await gates.process(CA_BUNDLE_KEY, signal);
  });

  after(async () => {
    await gates?.stop();
    await admission
      .deleteMutatingWebhookConfiguration({ name: webhook.configurationName })
      .catch(() => undefined);
    await harness.stop();
  });

  it('keeps the caBundle equal to the CA in the shared Secret', async () => {
    const secret = await harness.core.readNamespacedSecret({
      namespace: ns,
      name: webhook.secretName,
    });
    const config = await admission.readMutatingWebhookConfiguration({
      name: webhook.configurationName,
    });
    assert.equal(config.webhooks?.[0]?.clientConfig.caBundle, secret.data?.['ca.crt']);
    assert.equal(secret.type, 'kubernetes.io/tls');
    // Steady state: a second pass reads and writes nothing.
    const rv = config.metadata?.resourceVersion;
    await gates?.process(CA_BUNDLE_KEY, signal);
    const again = await admission.readMutatingWebhookConfiguration({
      name: webhook.configurationName,
    });
    assert.equal(again.metadata?.resourceVersion, rv);
  });

  it('gives a new pod in a labelled namespace the gate of the target group that routes to it', async () => {
    // GIVEN an ip-mode Ingress whose Service selects app=web
    // WHEN a pod with app=web is created in the labelled namespace
    const created = await createPodUntil(
      harness.core,
      pod(ns, 'web-1', { app: 'web' }),
      (p) => gatesOf(p).length > 0,
    );
    // THEN it carries exactly the gate named after our target group
    assert.deepEqual(gatesOf(created), [`${GATE_PREFIX}${tgName}`]);
    assert.equal(created.metadata?.labels?.['albatross.dev/readiness-gates'], 'injected');
    // AND a pod the Service does not select gets none
    const other = await harness.core.createNamespacedPod({
      namespace: ns,
      body: pod(ns, 'other', { app: 'other' }),
    });
    assert.deepEqual(gatesOf(other), []);
  });

  it('gives no gate in a namespace without the label', async () => {
    const created = await harness.core.createNamespacedPod({
      namespace: plainNs,
      body: pod(plainNs, 'web-1', { app: 'web' }),
    });
    assert.deepEqual(gatesOf(created), []);
  });

  it('registers the pod once its containers are ready and sets the condition True when healthy', async () => {
    const { core, aws } = harness;
    const name = (await core.listNamespacedPod({ namespace: ns })).items.find(
      (p) => gatesOf(p).length > 0,
    )?.metadata?.name;
    assert.ok(name !== undefined);
    const gate = `${GATE_PREFIX}${tgName}`;
    // GIVEN the pod is running with an IP, containers ready, held back only by the gate
    // (so its endpoint is not ready)
    await holdPodBehindGate(testEnv.env.kc, ns, name, podIps[0] ?? '');
    await eventually('pod cached with its IP', () =>
      gates?.pods.get(name, ns)?.status?.podIP === podIps[0] ? true : undefined,
    );
    // WHEN the condition loop runs before the target is registered
    await gates?.process(READINESS_GATES_KEY, signal);
    // THEN the condition is False: not registered yet
    let condition = await eventually('condition False', async () => {
      const p = await core.readNamespacedPodStatus({ name, namespace: ns });
      return p.status?.conditions?.find((c) => c.type === gate);
    });
    assert.equal(condition.status, 'False');
    assert.equal(condition.reason, 'Target.NotRegistered');
    // WHEN the group's targets are reconciled (the pod's containers-ready turned into a
    // targets key) and the loop runs again
    await eventually('targets key', () =>
      enqueued.includes(`targets:${ns}/web`) ? true : undefined,
    );
    const registered = await harness.reconciler.reconcile(`targets:${ns}/web`, signal);
    assert.equal(registered.byChange['update Targets'] ?? registered.changesApplied, 1);
    await eventually('condition cached', () =>
      gates?.pods.get(name, ns)?.status?.conditions?.some((c) => c.type === gate) === true
        ? true
        : undefined,
    );
    aws.calls.reset();
    const result = await gates?.process(READINESS_GATES_KEY, signal);
    // THEN the pod's target is healthy in the emulator and its condition is True
    condition = await eventually('condition True', async () => {
      const p = await core.readNamespacedPodStatus({ name, namespace: ns });
      const c = p.status?.conditions?.find((x) => x.type === gate);
      return c?.status === 'True' ? c : undefined;
    });
    assert.equal(condition.reason, 'Healthy');
    assert.equal(result?.action.kind, 'forget', 'nothing left to wait for');
    // AND health was read once per target group, with no AWS write
    const ops = Object.fromEntries(aws.calls.snapshot().map((c) => [c.operation, c.count]));
    assert.deepEqual(ops, { DescribeTargetHealth: 1 });
    // AND with no gate pending, a pass makes no AWS call at all
    await eventually('True cached', () =>
      gates?.pods.get(name, ns)?.status?.conditions?.find((c) => c.type === gate)?.status === 'True'
        ? true
        : undefined,
    );
    aws.calls.reset();
    await gates?.process(READINESS_GATES_KEY, signal);
    assert.equal(aws.calls.total(), 0);
    // AND the group is in steady state: a reconcile plans nothing, writes nothing
    const again = await harness.reconciler.reconcile(`${ns}/web`, signal);
    assert.equal(again.planned, 0);
    assert.equal(aws.calls.mutatingCalls(), 0);
  });

  it('sets the condition True when the pod is no longer a target', async () => {
    const { core } = harness;
    // GIVEN a second gated pod with an IP, never registered (containers not ready)
    const created = await createPodUntil(
      core,
      pod(ns, 'web-2', { app: 'web' }),
      (p) => gatesOf(p).length > 0,
    );
    const name = created.metadata?.name ?? '';
    const gate = `${GATE_PREFIX}${tgName}`;
    await core.patchNamespacedPodStatus(
      { name, namespace: ns, body: { status: { podIP: podIps[1], podIPs: [{ ip: podIps[1] }] } } },
      strategicMerge,
    );
    await eventually('pod cached', () =>
      gates?.pods.get(name, ns)?.status?.podIP === podIps[1] ? true : undefined,
    );
    const first = await gates?.process(READINESS_GATES_KEY, signal);
    assert.equal(first?.action.kind, 'after', 'a False gate is checked again soon');
    // WHEN the Service stops selecting it (its label changes)
    await core.patchNamespacedPod(
      { name, namespace: ns, body: { metadata: { labels: { app: 'retired' } } } },
      mergePatch,
    );
    await eventually('label cached', () =>
      gates?.pods.get(name, ns)?.metadata?.labels?.app === 'retired' ? true : undefined,
    );
    await gates?.process(READINESS_GATES_KEY, signal);
    // THEN its gate is True, so it is not left unready
    const condition = await eventually('condition True', async () => {
      const p = await core.readNamespacedPodStatus({ name, namespace: ns });
      const c = p.status?.conditions?.find((x) => x.type === gate);
      return c?.status === 'True' ? c : undefined;
    });
    assert.equal(condition.reason, 'NoLongerTarget');
  });

  it('renews a deleted certificate Secret with a new CA, serves it and pushes the new caBundle', async () => {
    const { core } = harness;
    const before = await core.readNamespacedSecret({ namespace: ns, name: webhook.secretName });
    // WHEN the Secret is deleted (as if by hand)
    await core.deleteNamespacedSecret({ namespace: ns, name: webhook.secretName });
    // THEN a replica makes it again with a new CA, and the leader's key pushes the bundle
    const after = await eventually('Secret recreated', async () => {
      const s = await core
        .readNamespacedSecret({ namespace: ns, name: webhook.secretName })
        .catch(() => undefined);
      return s !== undefined && s.data?.['ca.crt'] !== before.data?.['ca.crt'] ? s : undefined;
    });
    await eventually('caBundle key enqueued', () =>
      enqueued.includes(CA_BUNDLE_KEY) ? true : undefined,
    );
    await gates?.process(CA_BUNDLE_KEY, signal);
    const config = await admission.readMutatingWebhookConfiguration({
      name: webhook.configurationName,
    });
    assert.equal(config.webhooks?.[0]?.clientConfig.caBundle, after.data?.['ca.crt']);
    // AND the API server trusts the server's new certificate: a new pod gets its gate
    const created = await createPodUntil(
      core,
      pod(ns, 'web-3', { app: 'web' }),
      (p) => gatesOf(p).length > 0,
    );
    assert.deepEqual(gatesOf(created), [`${GATE_PREFIX}${tgName}`]);
  });

  it('never blocks pod creation when the webhook is down (failurePolicy Ignore)', async () => {
    // GIVEN the controller stopped: nothing listens on the webhook's port
    await gates?.stop();
    gates = undefined;
    // WHEN a pod is created in the labelled namespace
    const created = await harness.core.createNamespacedPod({
      namespace: ns,
      body: pod(ns, 'while-down', { app: 'web' }),
    });
    // THEN it is created, without a gate
    assert.equal(created.metadata?.name, 'while-down');
    assert.deepEqual(gatesOf(created), []);
  });
});
