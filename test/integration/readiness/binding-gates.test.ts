/**
 * Readiness gates for TargetGroupBinding pods, against the real API server (which calls
 * our webhook over TLS, as in readiness-gates.test.ts) and the emulator. The target group
 * is made by the test, not by us. There is no kubelet: the test sets the pod's IP and
 * ContainersReady and writes the EndpointSlice itself; moto reports a registered target
 * healthy at once (test/env/moto-differences.md).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateTargetGroupCommand,
  DescribeTargetHealthCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  AdmissionregistrationV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { BindingReconciler } from '../../../controller/binding-reconciler.ts';
import type { WebhookConfig } from '../../../controller/config.ts';
import { createLogger } from '../../../controller/log.ts';
import { READINESS_GATES_KEY } from '../../../controller/readiness/pod-conditions.ts';
import { CA_BUNDLE_KEY, ReadinessGates } from '../../../controller/readiness/readiness-gates.ts';
import { bindingRouteSource } from '../../../controller/webhook/binding-route-source.ts';
import { BindingCache, bindingWorkKey } from '../../../pkg/k8s/index.ts';
import {
  READINESS_GATE_INJECT_LABEL,
  readinessGateName,
  TARGET_GROUP_BINDING,
} from '../../../pkg/translate/index.ts';
import { installCrds } from '../../env/crds.ts';
import {
  startInProcessReconciler,
  type InProcessReconciler,
} from '../../env/in-process-reconciler.ts';
import { allocatePodIps } from '../../env/pod-ips.ts';
import { freePort } from '../../env/ports.ts';
import { useTestEnv } from '../../env/testenv.ts';
import { eventually } from '../k8s/helpers.ts';
import {
  createPodUntil,
  holdPodBehindGate,
  gatesOf,
  pod,
  webhookConfiguration,
} from './helpers.ts';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const log = createLogger({ level: process.env.ALBATROSS_TEST_LOGS === '1' ? 'debug' : 'error' });
const { group, version, plural } = TARGET_GROUP_BINDING;

describe('readiness gates for TargetGroupBinding pods', () => {
  const testEnv = useTestEnv();
  let harness: InProcessReconciler;
  let bindings: BindingCache;
  let gates: ReadinessGates | undefined;
  let reconciler: BindingReconciler;
  let admission: AdmissionregistrationV1Api;
  let webhook: WebhookConfig;
  let ns: string;
  let arn: string;
  let podIp: string;
  const signal = new AbortController().signal;
  const enqueued: string[] = [];
  const gate = readinessGateName('web-tgb');

  before(async () => {
    const env = testEnv.env;
    await env.resetAws();
    await installCrds(env);
    ns = await env.freshNamespace('tgbgates');
    [podIp = ''] = await allocatePodIps(env, 1);
    harness = await startInProcessReconciler(env, { namespace: ns });
    const { core, aws } = harness;
    await core.patchNamespace(
      { name: ns, body: { metadata: { labels: { [READINESS_GATE_INJECT_LABEL]: 'enabled' } } } },
      mergePatch,
    );
    await core.createNamespacedService({
      namespace: ns,
      body: {
        metadata: { name: 'web', namespace: ns },
        spec: {
          selector: { app: 'web' },
          ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
        },
      },
    });
    const tg = await aws.elbv2.send(
      new CreateTargetGroupCommand({
        Name: 'made-by-the-test-ip',
        Protocol: 'HTTP',
        Port: 80,
        VpcId: env.world.vpcId,
        TargetType: 'ip',
      }),
    );
    arn = tg.TargetGroups?.[0]?.TargetGroupArn ?? '';
    assert.ok(arn !== '');

    bindings = new BindingCache({ kc: env.kc, watchNamespace: ns });
    assert.equal(await bindings.start(), true, 'the CRD is installed');
    await env.kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
      group,
      version,
      plural,
      namespace: ns,
      body: {
        apiVersion: `${group}/${version}`,
        kind: 'TargetGroupBinding',
        metadata: { name: 'web-tgb' },
        spec: { targetGroupARN: arn, targetType: 'ip', serviceRef: { name: 'web', port: 80 } },
      },
    });
    await eventually('binding and Service cached', () =>
      bindings.get(ns, 'web-tgb') !== undefined &&
      harness.caches.serviceMap().get(`${ns}/web`) !== undefined
        ? true
        : undefined,
    );

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
    await admission.createMutatingWebhookConfiguration({
      body: webhookConfiguration(webhook.configurationName, port),
    });
    // Wired as controller/plug.ts wires it.
    const g = new ReadinessGates({
      webhook,
      kc: env.kc,
      caches: harness.caches,
      aws,
      translate: harness.translate,
      log,
      mapper: harness.mapper,
      extraSources: [bindingRouteSource(bindings, harness.caches)],
      extraSourceEvents: [bindings],
      bindingKeys: (namespace, service) => bindings.forService(namespace, service),
      host: '127.0.0.1',
      watchNamespace: ns,
    });
    gates = g;
    await g.start((key) => enqueued.push(key));
    await eventually('gated pods cached', () => (g.hasSynced() ? true : undefined));
    await g.process(CA_BUNDLE_KEY, signal);
    reconciler = new BindingReconciler({
      bindings,
      caches: harness.caches,
      kc: env.kc,
      core,
      clients: aws,
      clusterName: env.clusterName,
      vpcId: env.world.vpcId,
      gatedAddresses: () => g.gatedAddresses(),
    });
    // The binding is in place before any pod: it registers nothing yet.
    await reconciler.reconcile(bindingWorkKey(ns, 'web-tgb'), signal);
  });

  after(async () => {
    await gates?.stop();
    await admission
      .deleteMutatingWebhookConfiguration({ name: webhook.configurationName })
      .catch(() => undefined);
    await bindings.stop();
    await harness.stop();
  });

  async function registered(): Promise<string[]> {
    const out = await harness.aws.elbv2.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: arn }),
    );
    return (out.TargetHealthDescriptions ?? [])
      .map((d) => `${d.Target?.Id ?? ''}:${String(d.Target?.Port)}`)
      .sort();
  }

  it('gates a selected pod, registers it before its endpoint is ready, and sets the gate True once healthy', async () => {
    const { core, aws } = harness;
    // GIVEN an ip binding to Service web (app=web) in a labelled namespace
    // WHEN a pod with app=web is created
    const created = await createPodUntil(
      core,
      pod(ns, 'web-1', { app: 'web' }),
      (p) => gatesOf(p).length > 0,
    );
    // THEN it carries the binding's gate (and a pod the Service does not select none)
    assert.deepEqual(gatesOf(created), [`target-health.elbv2.k8s.aws/web-tgb`]);
    const other = await core.createNamespacedPod({
      namespace: ns,
      body: pod(ns, 'other', { app: 'other' }),
    });
    assert.deepEqual(gatesOf(other), []);
    const name = created.metadata?.name ?? '';
    await eventually('gated pod cached', () =>
      gates?.pods.get(name, ns) !== undefined ? true : undefined,
    );

    // WHEN its containers are ready but, held back by the gate, its endpoint is not
    enqueued.length = 0;
    await holdPodBehindGate(testEnv.env.kc, ns, name, podIp);
    await eventually('slice cached', () =>
      (harness.caches.endpointSlicesByService().get(`${ns}/web`) ?? []).length > 0
        ? true
        : undefined,
    );
    // THEN the pod's change enqueues the binding
    await eventually('binding key enqueued by the pod', () =>
      enqueued.includes(bindingWorkKey(ns, 'web-tgb')) ? true : undefined,
    );
    // AND before the reconcile the gate is False: not registered
    await gates?.process(READINESS_GATES_KEY, signal);
    const before = await eventually('condition False', async () => {
      const p = await core.readNamespacedPodStatus({ name, namespace: ns });
      return p.status?.conditions?.find((c) => c.type === gate);
    });
    assert.equal(before.status, 'False');
    assert.equal(before.reason, 'Target.NotRegistered');
    // AND the binding's reconcile registers it although its endpoint is not ready
    await reconciler.reconcile(bindingWorkKey(ns, 'web-tgb'), signal);
    assert.deepEqual(await registered(), [`${podIp}:8080`]);

    // WHEN the condition loop runs (moto: healthy at once)
    await eventually('condition cached', () =>
      gates?.pods.get(name, ns)?.status?.conditions?.some((c) => c.type === gate) === true
        ? true
        : undefined,
    );
    await gates?.process(READINESS_GATES_KEY, signal);
    // THEN the gate is True
    const condition = await eventually('condition True', async () => {
      const p = await core.readNamespacedPodStatus({ name, namespace: ns });
      const c = p.status?.conditions?.find((x) => x.type === gate);
      return c?.status === 'True' ? c : undefined;
    });
    assert.equal(condition.reason, 'Healthy');

    // AND steady state: the binding's next reconcile writes nothing to AWS
    await eventually('True cached', () =>
      gates?.pods.get(name, ns)?.status?.conditions?.find((c) => c.type === gate)?.status === 'True'
        ? true
        : undefined,
    );
    aws.calls.reset();
    const again = await reconciler.reconcile(bindingWorkKey(ns, 'web-tgb'), signal);
    assert.equal(again.changesApplied, 0);
    assert.equal(aws.calls.mutatingCalls(), 0);
    assert.deepEqual(await registered(), [`${podIp}:8080`]);
  });
});
