/**
 * The pods that carry our readiness gates, cached narrowly: only pods with the label the
 * webhook puts next to the gates (the API server cannot select on `spec.readinessGates`)
 * and not finished (a Succeeded or Failed pod is never a target again). A cluster's other
 * pods cost nothing here.
 */
import { CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import type { Clock } from '../clock/index.ts';
import { GATED_POD_LABEL, GATED_POD_LABEL_VALUE, isOurGate } from '../translate/readiness-gates.ts';
import { Informer } from './informer.ts';
import { stripMetadata } from './strip.ts';

export const GATED_POD_SELECTOR = `${GATED_POD_LABEL}=${GATED_POD_LABEL_VALUE}`;
const UNFINISHED = 'status.phase!=Succeeded,status.phase!=Failed';

/** `ContainersReady` decides whether a not-ready endpoint may be registered already. */
const KEPT_CONDITIONS = new Set(['ContainersReady', 'Ready']);

/**
 * Pods: identity and labels, the gates, the pod IP, and the conditions of our gates and
 * ContainersReady/Ready. Containers, volumes and the rest of the status are never read.
 */
export function stripPod(pod: V1Pod): V1Pod {
  stripMetadata(pod);
  const m = pod.metadata;
  if (m !== undefined) {
    pod.metadata = {
      ...(m.name !== undefined ? { name: m.name } : {}),
      ...(m.namespace !== undefined ? { namespace: m.namespace } : {}),
      ...(m.uid !== undefined ? { uid: m.uid } : {}),
      ...(m.resourceVersion !== undefined ? { resourceVersion: m.resourceVersion } : {}),
      ...(m.labels !== undefined ? { labels: m.labels } : {}),
      ...(m.deletionTimestamp !== undefined ? { deletionTimestamp: m.deletionTimestamp } : {}),
    };
  }
  const gates = pod.spec?.readinessGates;
  // `containers` is required by the type; nothing here reads it.
  pod.spec = { containers: [], ...(gates !== undefined ? { readinessGates: gates } : {}) };
  const status = pod.status;
  if (status !== undefined) {
    const conditions = (status.conditions ?? [])
      .filter((c) => KEPT_CONDITIONS.has(c.type) || isOurGate(c.type))
      .map((c) => ({
        type: c.type,
        status: c.status,
        ...(c.reason !== undefined ? { reason: c.reason } : {}),
        ...(c.message !== undefined ? { message: c.message } : {}),
        // Kept for our gates: a rewrite that does not flip the status must not move it.
        ...(c.lastTransitionTime !== undefined && isOurGate(c.type)
          ? { lastTransitionTime: c.lastTransitionTime }
          : {}),
      }));
    pod.status = {
      ...(status.phase !== undefined ? { phase: status.phase } : {}),
      ...(status.podIP !== undefined ? { podIP: status.podIP } : {}),
      conditions,
    };
  }
  return pod;
}

export interface GatedPodsOptions {
  readonly kc: KubeConfig;
  readonly watchNamespace?: string;
  readonly clock?: Clock;
  readonly onRestart?: (kind: string, reason: string) => void;
}

export function gatedPodsInformer(options: GatedPodsOptions): Informer<V1Pod> {
  const { kc, watchNamespace: ns } = options;
  const core = kc.makeApiClient(CoreV1Api);
  const selectors = { labelSelector: GATED_POD_SELECTOR, fieldSelector: UNFINISHED };
  return new Informer<V1Pod>({
    kind: 'Pod',
    kc,
    path: ns === undefined ? '/api/v1/pods' : `/api/v1/namespaces/${ns}/pods`,
    list: () =>
      ns === undefined
        ? core.listPodForAllNamespaces(selectors)
        : core.listNamespacedPod({ namespace: ns, ...selectors }),
    strip: stripPod,
    ...selectors,
    ...(options.clock !== undefined ? { clock: options.clock } : {}),
    ...(options.onRestart !== undefined ? { onRestart: options.onRestart } : {}),
  });
}
