/** Shared by the readiness-gate suites: pods, the webhook configuration the chart installs. */
import {
  CoreV1Api,
  DiscoveryV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1Pod,
} from '@kubernetes/client-node';
import { READINESS_GATE_INJECT_LABEL } from '../../../pkg/translate/index.ts';

export function pod(namespace: string, name: string, labels: Record<string, string>): V1Pod {
  return {
    metadata: { name, namespace, labels },
    spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }] },
  };
}

/** The webhook configuration the chart installs, pointed at this process. */
export function webhookConfiguration(name: string, port: number, caBundle?: string): object {
  return {
    metadata: { name },
    webhooks: [
      {
        name: 'pod-readiness-gate.albatross.dev',
        admissionReviewVersions: ['v1'],
        sideEffects: 'None',
        failurePolicy: 'Ignore',
        timeoutSeconds: 5,
        namespaceSelector: { matchLabels: { [READINESS_GATE_INJECT_LABEL]: 'enabled' } },
        rules: [
          {
            apiGroups: [''],
            apiVersions: ['v1'],
            operations: ['CREATE'],
            resources: ['pods'],
            scope: 'Namespaced',
          },
        ],
        clientConfig: {
          url: `https://127.0.0.1:${String(port)}/mutate-v1-pod`,
          ...(caBundle !== undefined ? { caBundle } : {}),
        },
      },
    ],
  };
}

/** The API server applies a new webhook configuration after a moment: retry until a pod shows it. */
export async function createPodUntil(
  core: CoreV1Api,
  body: V1Pod,
  done: (created: V1Pod) => boolean,
  timeoutMs = 15_000,
): Promise<V1Pod> {
  const namespace = body.metadata?.namespace ?? '';
  const base = body.metadata?.name ?? '';
  const until = Date.now() + timeoutMs;
  for (let i = 0; ; i++) {
    const name = i === 0 ? base : `${base}-${String(i)}`;
    const created = await core.createNamespacedPod({
      namespace,
      body: { metadata: { ...labelsOf(body), name }, spec: body.spec ?? { containers: [] } },
    });
    if (done(created) || Date.now() > until) return created;
    await core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0 });
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function labelsOf(p: V1Pod): { namespace?: string; labels?: Record<string, string> } {
  const { namespace, labels } = p.metadata ?? {};
  return {
    ...(namespace !== undefined ? { namespace } : {}),
    ...(labels !== undefined ? { labels } : {}),
  };
}

export function gatesOf(p: V1Pod): string[] {
  return (p.spec?.readinessGates ?? []).map((g) => g.conditionType);
}

/**
 * A gated pod as the kubelet and the EndpointSlice controller would leave it: running
 * with an IP and its containers ready, its endpoint for Service `web` (port `http` 8080)
 * not ready, because the readiness gate holds it back.
 */
export async function holdPodBehindGate(
  kc: KubeConfig,
  namespace: string,
  name: string,
  ip: string,
): Promise<void> {
  await kc.makeApiClient(CoreV1Api).patchNamespacedPodStatus(
    {
      name,
      namespace,
      body: {
        status: {
          podIP: ip,
          podIPs: [{ ip }],
          conditions: [{ type: 'ContainersReady', status: 'True' }],
        },
      },
    },
    setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
  );
  await kc.makeApiClient(DiscoveryV1Api).createNamespacedEndpointSlice({
    namespace,
    body: {
      metadata: { name: 'web-slice', namespace, labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      endpoints: [
        {
          addresses: [ip],
          conditions: { ready: false },
          targetRef: { kind: 'Pod', name, namespace },
        },
      ],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    },
  });
}
