/**
 * The report of pods that should carry a readiness gate and do not, against the real API
 * server. The pod is created in a labelled namespace with no webhook registered, as when
 * the controller was down and failurePolicy Ignore let the pod through; it is a target of
 * the ip-mode Ingress's target group (its address is in the Service's EndpointSlice, made
 * by the test since there is no controller-manager).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DiscoveryV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { CoreV1Event } from '@kubernetes/client-node';
import type { WebhookConfig } from '../../../controller/config.ts';
import { createLogger } from '../../../controller/log.ts';
import { ControllerMetrics } from '../../../controller/metrics.ts';
import { ReadinessGates } from '../../../controller/readiness/readiness-gates.ts';
import {
  UNGATED_POD_REASON,
  UNGATED_PODS_KEY,
} from '../../../controller/readiness/ungated-pods.ts';
import { ingressRouteSource } from '../../../controller/webhook/pod-routes.ts';
import {
  GATED_POD_LABEL,
  GATED_POD_LABEL_VALUE,
  READINESS_GATE_INJECT_LABEL,
} from '../../../pkg/translate/index.ts';
import {
  startInProcessReconciler,
  type InProcessReconciler,
} from '../../env/in-process-reconciler.ts';
import { allocatePodIps } from '../../env/pod-ips.ts';
import { freePort } from '../../env/ports.ts';
import { useTestEnv } from '../../env/testenv.ts';
import { eventually, ingress } from '../k8s/helpers.ts';
import { pod } from './helpers.ts';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const strategicMerge = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
const log = createLogger({ level: process.env.ALBATROSS_TEST_LOGS === '1' ? 'debug' : 'error' });

describe('pods that should carry a readiness gate and do not', () => {
  const testEnv = useTestEnv();
  let harness: InProcessReconciler;
  let gates: ReadinessGates;
  let ns: string;
  let gate: string;
  let podIps: string[];
  const enqueued: string[] = [];
  const signal = new AbortController().signal;

  const eventsOf = async (name: string): Promise<CoreV1Event[]> =>
    (
      await harness.core.listNamespacedEvent({
        namespace: ns,
        fieldSelector: `involvedObject.name=${name}`,
      })
    ).items.filter((e) => e.reason === UNGATED_POD_REASON);

  before(async () => {
    const env = testEnv.env;
    ns = await env.freshNamespace('ungated');
    podIps = await allocatePodIps(env, 2);
    harness = await startInProcessReconciler(env);
    const { core, net } = harness;
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
    await net.createNamespacedIngress({
      namespace: ns,
      body: ingress(ns, 'web', {
        services: ['web'],
        annotations: { 'alb.ingress.kubernetes.io/target-type': 'ip' },
      }),
    });
    // The gate the webhook would have given: the route the controller computes itself.
    gate = await eventually('route', () =>
      harness.caches.services.get('web', ns)?.spec?.selector === undefined
        ? undefined
        : ingressRouteSource(harness.caches, harness.translate)(ns)[0]?.gate,
    );
    const port = await freePort();
    const webhook: WebhookConfig = {
      port,
      configurationName: `albatross-webhook-${ns}`,
      serviceName: 'albatross-webhook',
      serviceNamespace: ns,
      secretName: 'albatross-webhook-tls',
      extraSans: ['127.0.0.1'],
    };
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
    await gates.start((key) => enqueued.push(key));
    await eventually('gated pods cached', () => (gates.hasSynced() ? true : undefined));
  });

  after(async () => {
    await gates.stop();
    await harness.stop();
  });

  it('warns on a target pod created without its gate, once, and counts it; not on a gated one', async () => {
    const { core } = harness;
    // GIVEN a pod created with no webhook answering (no gate), and one the webhook gated
    await core.createNamespacedPod({ namespace: ns, body: pod(ns, 'early', { app: 'web' }) });
    const gated = pod(ns, 'gated', { app: 'web', [GATED_POD_LABEL]: GATED_POD_LABEL_VALUE });
    gated.spec = {
      containers: gated.spec?.containers ?? [],
      readinessGates: [{ conditionType: gate }],
    };
    await core.createNamespacedPod({ namespace: ns, body: gated });
    for (const [name, ip] of [
      ['early', podIps[0] ?? ''],
      ['gated', podIps[1] ?? ''],
    ] as const) {
      await core.patchNamespacedPodStatus(
        { name, namespace: ns, body: { status: { podIP: ip, podIPs: [{ ip }] } } },
        strategicMerge,
      );
    }
    // AND both are endpoints of the Service the ip-mode target group serves
    enqueued.length = 0;
    await testEnv.env.kc.makeApiClient(DiscoveryV1Api).createNamespacedEndpointSlice({
      namespace: ns,
      body: {
        metadata: {
          name: 'web-slice',
          namespace: ns,
          labels: { 'kubernetes.io/service-name': 'web' },
        },
        addressType: 'IPv4',
        endpoints: [
          {
            addresses: [podIps[0] ?? ''],
            conditions: { ready: true },
            targetRef: { kind: 'Pod', name: 'early', namespace: ns },
          },
          {
            addresses: [podIps[1] ?? ''],
            conditions: { ready: false },
            targetRef: { kind: 'Pod', name: 'gated', namespace: ns },
          },
        ],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    });
    await eventually('gated pod cached with its IP', () =>
      gates.pods.get('gated', ns)?.status?.podIP === podIps[1] ? true : undefined,
    );
    // WHEN the EndpointSlice change reaches the report
    await eventually('report enqueued', () =>
      enqueued.includes(UNGATED_PODS_KEY) ? true : undefined,
    );
    const first = await gates.process(UNGATED_PODS_KEY, signal);
    assert.equal(first.changesApplied, 1);
    // THEN the ungated pod has a Warning saying it must be recreated to get its gate
    const [warning, ...more] = await eventsOf('early');
    assert.equal(more.length, 0);
    assert.equal(warning?.type, 'Warning');
    assert.equal(warning.involvedObject.kind, 'Pod');
    assert.ok(warning.message?.includes(gate), warning.message);
    assert.match(warning.message ?? '', /recreate the pod/);
    // AND the gated pod has none
    assert.deepEqual(await eventsOf('gated'), []);
    // AND the gauge counts it
    assert.equal(gates.ungatedPods(), 1);
    const metrics = new ControllerMetrics({
      queueDepth: () => 0,
      isLeader: () => true,
      ungatedPods: () => gates.ungatedPods(),
    });
    assert.match((await metrics.scrape()).body, /^albatross_ungated_pods 1$/m);

    // WHEN the report runs again with nothing changed
    const again = await gates.process(UNGATED_PODS_KEY, signal);
    // THEN it warns no more
    assert.equal(again.changesApplied, 0);
    const still = await eventsOf('early');
    assert.deepEqual(
      still.map((e) => e.count),
      [1],
    );

    // WHEN the pod is gone (recreated by its owner, with the gate this time)
    await core.deleteNamespacedPod({ name: 'early', namespace: ns, gracePeriodSeconds: 0 });
    await gates.process(UNGATED_PODS_KEY, signal);
    // THEN nothing is counted any more
    assert.equal(gates.ungatedPods(), 0);
  });
});
