/**
 * The report of pods that should carry a readiness gate and do not (see
 * pkg/translate/ungated-pods.ts for who they are), leader only, riding the work queue as
 * the key `ungated-pods:`: on leading, at each resync, and when an EndpointSlice, a
 * Namespace's labels, a Service, an Ingress or a gated pod changes.
 *
 * One pass, over the namespaces labelled `elbv2.k8s.aws/pod-readiness-gate-inject=enabled`
 * that changed since the last one (all of them on leading and at resync):
 * suspects from the caches; one pod list (by the route's selector) per route with a new
 * suspect; a Warning Event `ReadinessGateMissing` on each pod found, once per pod and gate;
 * `count()` (the `albatross_ungated_pods` gauge) is the number of such pods now. With no
 * ungated pod (the steady state) a pass makes no API call; while one lasts, a pass lists
 * the pods of its route (an address can outlive its pod, so a past answer is not kept).
 */
import type { CoreV1Api, V1Namespace, V1Pod } from '@kubernetes/client-node';
import type { ClusterCaches, EventRecorder } from '../../pkg/k8s/index.ts';
import {
  READINESS_GATE_INJECT_LABEL,
  podsMissingGate,
  ungatedSuspects,
} from '../../pkg/translate/index.ts';
import type { ReconcileResult } from '../handle-result.ts';
import { podRoutes, type PodRouteSource } from '../webhook/pod-routes.ts';

export const UNGATED_PODS_KEY = 'ungated-pods:';
export const UNGATED_POD_REASON = 'ReadinessGateMissing';

export interface UngatedPodReportOptions {
  readonly caches: Pick<ClusterCaches, 'namespaces' | 'endpointSlicesByService'>;
  readonly sources: readonly PodRouteSource[];
  /** The cached gated pods. */
  readonly gatedPods: () => readonly V1Pod[];
  readonly core: CoreV1Api;
  readonly events: Pick<EventRecorder, 'record'>;
  readonly watchNamespace?: string;
}

interface Found {
  readonly namespace: string;
  readonly pod: V1Pod;
  readonly gate: string;
}

/** `namespace/ip/gate`: one suspect of one route. */
function suspectKey(namespace: string, ip: string, gate: string): string {
  return `${namespace}/${ip}/${gate}`;
}

export function isGatedNamespace(namespace: V1Namespace): boolean {
  return namespace.metadata?.labels?.[READINESS_GATE_INJECT_LABEL] === 'enabled';
}

export function ungatedPodMessage(gate: string): string {
  return (
    `this pod is a target of a load balancer but has no readiness gate ${gate}: it was ` +
    'created while the albatross webhook was unreachable, before its namespace was ' +
    'labelled or before an Ingress routed to it, so it can take traffic before its target ' +
    'is healthy; recreate the pod (e.g. kubectl rollout restart) to get the gate'
  );
}

export class UngatedPodReport {
  readonly #o: UngatedPodReportOptions;
  /** Found by the last pass: `namespace/ip/gate` → the pod found there. */
  #known = new Map<string, Found>();
  /** `uid/gate` of the pods already given their Event. */
  #reported = new Set<string>();
  /** Namespaces whose routes or endpoints changed since the last pass. */
  #dirty = new Set<string>();
  /** Every namespace is to be looked at (nothing touched counts as this too). */
  #all = false;

  constructor(options: UngatedPodReportOptions) {
    this.#o = options;
  }

  /** Pods known to lack a gate they should have, as of the last pass. */
  count(): number {
    return new Set([...this.#known.values()].map((f) => f.pod.metadata?.uid ?? '')).size;
  }

  /** Something in `namespace` changed: the next pass looks there (only, if nothing else). */
  touch(namespace: string): void {
    this.#dirty.add(namespace);
  }

  touchAll(): void {
    this.#all = true;
  }

  async pass(signal: AbortSignal): Promise<ReconcileResult> {
    const { caches, sources, watchNamespace } = this.#o;
    const gatedNamespaces = new Set(
      caches.namespaces
        .list()
        .filter(isGatedNamespace)
        .map((n) => n.metadata?.name ?? '')
        .filter((n) => watchNamespace === undefined || n === watchNamespace),
    );
    // Leading, a resync or a retry after a failure come with nothing touched: all of them.
    const scope = this.#all || this.#dirty.size === 0 ? gatedNamespaces : this.#dirty;
    this.#dirty = new Set();
    this.#all = false;
    const slices = caches.endpointSlicesByService();
    const gated = this.#o.gatedPods();
    const known = new Map(
      [...this.#known].filter(
        ([, f]) => gatedNamespaces.has(f.namespace) && !scope.has(f.namespace),
      ),
    );
    for (const namespace of scope) {
      if (!gatedNamespaces.has(namespace)) continue;
      for (const suspects of ungatedSuspects(podRoutes(sources, namespace), slices, gated)) {
        const { route } = suspects;
        signal.throwIfAborted();
        const selector = Object.entries(route.selector)
          .map(([k, v]) => `${k}=${v}`)
          .join(',');
        const pods = await this.#o.core.listNamespacedPod({ namespace, labelSelector: selector });
        for (const pod of podsMissingGate(suspects, pods.items)) {
          known.set(suspectKey(namespace, pod.status?.podIP ?? '', route.gate), {
            namespace,
            pod,
            gate: route.gate,
          });
        }
      }
    }
    this.#known = known;
    const current = new Set<string>();
    let recorded = 0;
    for (const { pod, gate } of known.values()) {
      const id = `${pod.metadata?.uid ?? ''}/${gate}`;
      current.add(id);
      if (this.#reported.has(id)) continue;
      await this.#o.events.record(
        { apiVersion: 'v1', kind: 'Pod', metadata: pod.metadata ?? {} },
        'Warning',
        UNGATED_POD_REASON,
        ungatedPodMessage(gate),
      );
      this.#reported.add(id);
      recorded += 1;
    }
    // Pods that left are forgotten: the memory stays as small as the problem.
    for (const id of this.#reported) if (!current.has(id)) this.#reported.delete(id);
    return { changesApplied: recorded };
  }
}
