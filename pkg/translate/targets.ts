/**
 * Targets of a target group, from what the environment knows: `null` when it does not
 * know (no Nodes or EndpointSlices were given), never a guess.
 */
import type { V1EndpointSlice, V1Node, V1ServicePort } from '@kubernetes/client-node';
import type { Target } from '../model/index.ts';
import { maybe } from './maybe.ts';

const EXCLUDE_LABELS = [
  'node-role.kubernetes.io/master',
  'node.kubernetes.io/exclude-from-external-load-balancers',
];
const TO_BE_DELETED_TAINT = 'ToBeDeletedByClusterAutoscaler';

/** `aws:///<az>/<instance-id>` → the instance id; `undefined` for anything else. */
export function instanceIdOf(providerId: string | undefined): string | undefined {
  const m = /^aws:\/\/\/[^/]*\/(i-[0-9a-zA-Z]+)$/.exec(providerId ?? '');
  return m?.[1];
}

/**
 * Ready nodes that may carry ALB traffic: not control-plane, not excluded by label, not
 * Fargate, not being removed by the cluster autoscaler, and matching `selector`.
 */
export function eligibleInstances(
  nodes: readonly V1Node[],
  selector: Readonly<Record<string, string>> | undefined,
): readonly string[] {
  const ids = new Set<string>();
  for (const node of nodes) {
    const labels = node.metadata?.labels ?? {};
    if (EXCLUDE_LABELS.some((l) => Object.hasOwn(labels, l))) continue;
    if (labels['eks.amazonaws.com/compute-type'] === 'fargate') continue;
    if ((node.spec?.taints ?? []).some((t) => t.key === TO_BE_DELETED_TAINT)) continue;
    const ready = (node.status?.conditions ?? []).find((c) => c.type === 'Ready');
    if (ready?.status !== 'True') continue;
    if (selector !== undefined && Object.entries(selector).some(([k, v]) => labels[k] !== v))
      continue;
    const id = instanceIdOf(node.spec?.providerID);
    if (id !== undefined) ids.add(id);
  }
  return [...ids].sort();
}

export function instanceTargets(
  nodes: readonly V1Node[] | undefined,
  nodePort: number | undefined,
  selector: Readonly<Record<string, string>> | undefined,
): readonly Target[] | null {
  if (nodes === undefined || nodePort === undefined) return null;
  return eligibleInstances(nodes, selector).map((id) => ({ id, port: nodePort }));
}

/**
 * Ready addresses (IPv4 unless asked otherwise) of the Service's EndpointSlices for `servicePort`: a slice port
 * carries the Service port's name (empty for an unnamed single port).
 *
 * Also the not-ready addresses in `gated`: pods whose containers are ready and which carry
 * this target group's readiness gate. They are not Ready until the target is healthy,
 * and it cannot be healthy until it is registered.
 */
export function ipTargets(
  slices: readonly V1EndpointSlice[] | undefined,
  servicePort: V1ServicePort,
  addressType: 'IPv4' | 'IPv6' = 'IPv4',
  gated?: ReadonlySet<string>,
): readonly Target[] | null {
  if (slices === undefined) return null;
  const name = servicePort.name ?? '';
  const seen = new Set<string>();
  const out: Target[] = [];
  for (const slice of slices) {
    if (slice.addressType !== addressType) continue;
    const port = (slice.ports ?? []).find((p) => (p.name ?? '') === name)?.port;
    if (port === undefined) continue;
    for (const ep of slice.endpoints ?? []) {
      const ready = ep.conditions?.ready !== false;
      for (const addr of maybe(ep.addresses) ?? []) {
        if (!ready && gated?.has(addr) !== true) continue;
        const key = `${addr}:${port}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ id: addr, port });
      }
    }
  }
  return out.sort((a, b) => (a.id === b.id ? a.port - b.port : a.id < b.id ? -1 : 1));
}
