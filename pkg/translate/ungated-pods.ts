/**
 * Pods that should carry a readiness gate and do not, the pure part. A gate is added only
 * when a pod is created, by our webhook: a pod created while the webhook was unreachable
 * (failurePolicy Ignore lets it through), before its namespace was labelled or before a
 * target group routed to it takes traffic without waiting for target health, and only
 * recreating it gives it the gate.
 *
 * Two steps, so the steady state costs no API call: the cached EndpointSlices of each
 * route's Service against the cached gated pods give the suspect addresses (an address no
 * gated pod with that gate accounts for); only then does the shell list the pods the
 * route selects, and `podsMissingGate` says which of them really lack it (a suspect may
 * just be a gated pod the cache has not seen yet).
 */
import type { V1EndpointSlice, V1Pod } from '@kubernetes/client-node';
import { podGates, routesToPod, type PodRoute } from './readiness-gates.ts';

/** A route and the endpoint addresses of its Service no cached gated pod accounts for. */
export interface UngatedSuspects {
  readonly route: PodRoute;
  readonly ips: readonly string[];
}

function running(pod: V1Pod): boolean {
  const phase = pod.status?.phase;
  return pod.metadata?.deletionTimestamp == null && phase !== 'Succeeded' && phase !== 'Failed';
}

/**
 * Per route, the addresses in its Service's EndpointSlices (`namespace/name` keys) that
 * are not the IP of a gated pod carrying the route's gate; routes with none are left out.
 */
export function ungatedSuspects(
  routes: readonly PodRoute[],
  slicesByService: ReadonlyMap<string, readonly V1EndpointSlice[]>,
  gatedPods: readonly V1Pod[],
): UngatedSuspects[] {
  const out: UngatedSuspects[] = [];
  for (const route of routes) {
    const covered = new Set(
      gatedPods
        .filter(
          (p) =>
            (p.metadata?.namespace ?? '') === route.namespace && podGates(p).includes(route.gate),
        )
        .flatMap((p) => (p.status?.podIP === undefined ? [] : [p.status.podIP])),
    );
    const ips = new Set<string>();
    for (const slice of slicesByService.get(`${route.namespace}/${route.service}`) ?? []) {
      for (const endpoint of slice.endpoints ?? []) {
        for (const ip of endpoint.addresses) if (!covered.has(ip)) ips.add(ip);
      }
    }
    if (ips.size > 0) out.push({ route, ips: [...ips].sort() });
  }
  return out;
}

/** The pods at one of `ips` that the route selects and that lack its gate. */
export function podsMissingGate(suspects: UngatedSuspects, pods: readonly V1Pod[]): V1Pod[] {
  const ips = new Set(suspects.ips);
  return pods.filter(
    (p) =>
      running(p) &&
      ips.has(p.status?.podIP ?? '') &&
      routesToPod(p, [suspects.route]).length > 0 &&
      !(p.spec?.readinessGates ?? []).some((g) => g.conditionType === suspects.route.gate),
  );
}
