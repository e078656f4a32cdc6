/**
 * Pod readiness gates (ip mode), the pure part: which target groups route to a pod, the
 * JSONPatch that gives a new pod their gates, and what a gate's condition should say.
 *
 * A gate is the condition type `target-health.elbv2.k8s.aws/<name>`, as
 * aws-load-balancer-controller writes it, so manifests and dashboards that look for it
 * keep working. For our Ingress target groups `<name>` is the target group's name (≤ 32
 * characters, so the condition type stays a valid qualified name); for a
 * TargetGroupBinding it is the binding's name.
 *
 * "Which target groups route to this pod" is a list of `PodRoute`s gathered from
 * sources: today the ip-mode target groups of our Ingresses (`ingressPodRoutes`); a
 * TargetGroupBinding source adds its own routes (gate = binding name, target group by
 * ARN) and nothing else here changes.
 */
import type { V1Pod, V1PodCondition, V1Service } from '@kubernetes/client-node';
import type { Stack } from '../model/index.ts';

export const READINESS_GATE_PREFIX = 'target-health.elbv2.k8s.aws/';
/** Namespaces labelled `<this>=enabled` get readiness gates on their new pods. */
export const READINESS_GATE_INJECT_LABEL = 'elbv2.k8s.aws/pod-readiness-gate-inject';
/**
 * Put on every pod we gave a gate, so the controller watches only those pods (the API
 * server has no field selector on `spec.readinessGates`).
 */
export const GATED_POD_LABEL = 'albatross.dev/readiness-gates';
export const GATED_POD_LABEL_VALUE = 'injected';

/** How the health of a route's target group is found. */
export type TargetGroupRef =
  { readonly kind: 'name'; readonly name: string } | { readonly kind: 'arn'; readonly arn: string };

/** One target group that sends traffic to the pods a Service selects. */
export interface PodRoute {
  /** The condition type of the gate. */
  readonly gate: string;
  /** Namespace of the Service (and so of the pods). */
  readonly namespace: string;
  /** Name of the Service: its EndpointSlices list the pods the target group serves. */
  readonly service: string;
  /** The Service's selector; pods whose labels carry all of it are targets. */
  readonly selector: Readonly<Record<string, string>>;
  readonly targetGroup: TargetGroupRef;
}

export function gateConditionType(name: string): string {
  return `${READINESS_GATE_PREFIX}${name}`;
}

export function isOurGate(conditionType: string): boolean {
  return conditionType.startsWith(READINESS_GATE_PREFIX);
}

/** An empty selector selects nothing: such a Service's endpoints are managed by hand. */
export function selectorMatches(
  selector: Readonly<Record<string, string>>,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([k, v]) => labels?.[k] === v);
}

/**
 * The ip-mode target groups of one built stack, as routes: each names its gate after the
 * target group and selects what its Service selects.
 */
export function ingressPodRoutes(
  stack: Stack,
  services: ReadonlyMap<string, V1Service>,
): PodRoute[] {
  const routes: PodRoute[] = [];
  for (const tg of stack.targetGroups) {
    if (tg.targetType !== 'ip') continue;
    // `namespace/name:port`, the port as the Ingress wrote it.
    const serviceKey = tg.service.slice(0, tg.service.lastIndexOf(':'));
    const selector = services.get(serviceKey)?.spec?.selector;
    if (selector === undefined) continue;
    const slash = serviceKey.indexOf('/');
    routes.push({
      gate: gateConditionType(tg.name),
      namespace: serviceKey.slice(0, slash),
      service: serviceKey.slice(slash + 1),
      selector,
      targetGroup: { kind: 'name', name: tg.name },
    });
  }
  return routes;
}

/** The routes that send traffic to this pod now. */
export function routesToPod(pod: V1Pod, routes: readonly PodRoute[]): PodRoute[] {
  const namespace = pod.metadata?.namespace ?? '';
  return routes.filter(
    (r) => r.namespace === namespace && selectorMatches(r.selector, pod.metadata?.labels),
  );
}

/** The gate condition types for a pod, sorted and without repeats. */
export function gatesForPod(pod: V1Pod, routes: readonly PodRoute[]): string[] {
  return [...new Set(routesToPod(pod, routes).map((r) => r.gate))].sort();
}

export interface JsonPatchOperation {
  readonly op: 'add';
  readonly path: string;
  readonly value: unknown;
}

/** RFC 6901: `~` and `/` in a key. */
function pointerToken(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

/**
 * The JSONPatch that adds the gates the pod lacks, and our label; empty when it lacks
 * none. A gate the pod already has (written by hand, or by a replay) is left alone.
 */
export function readinessGatePatch(pod: V1Pod, gates: readonly string[]): JsonPatchOperation[] {
  const existing = pod.spec?.readinessGates;
  const have = new Set((existing ?? []).map((g) => g.conditionType));
  const missing = gates.filter((g) => !have.has(g));
  if (missing.length === 0) return [];
  const ops: JsonPatchOperation[] = [];
  if (existing === undefined) {
    ops.push({
      op: 'add',
      path: '/spec/readinessGates',
      value: missing.map((conditionType) => ({ conditionType })),
    });
  } else {
    for (const conditionType of missing) {
      ops.push({ op: 'add', path: '/spec/readinessGates/-', value: { conditionType } });
    }
  }
  if (pod.metadata?.labels === undefined) {
    ops.push({
      op: 'add',
      path: '/metadata/labels',
      value: { [GATED_POD_LABEL]: GATED_POD_LABEL_VALUE },
    });
  } else {
    ops.push({
      op: 'add',
      path: `/metadata/labels/${pointerToken(GATED_POD_LABEL)}`,
      value: GATED_POD_LABEL_VALUE,
    });
  }
  return ops;
}

/** What DescribeTargetHealth said of one registered target. */
export interface TargetHealthEntry {
  readonly id: string;
  readonly port: number;
  /** `initial`, `healthy`, `unhealthy`, `unused`, `draining`, `unavailable`, … */
  readonly state: string;
  readonly reason?: string;
  readonly description?: string;
}

/** The health of one route's target group; `gone` when it does not exist (any more). */
export type TargetGroupHealth =
  | { readonly kind: 'gone' }
  | { readonly kind: 'known'; readonly targets: readonly TargetHealthEntry[] };

export interface GateVerdict {
  readonly status: 'True' | 'False';
  readonly reason: string;
  readonly message: string;
}

/**
 * What the gate's condition should say. True once every registered target at the pod's
 * IP is healthy; True as well when nothing routes to the pod through this gate any more
 * (its Service no longer selects it, the Ingress or its backend is gone), so no pod is
 * left unready by a gate nobody will ever satisfy. False, with AWS's reason, while it is
 * registered and not yet healthy, selected but not yet registered, or its target group
 * is still to be created.
 */
export function gateVerdict(
  podIp: string | undefined,
  route: PodRoute | undefined,
  health: TargetGroupHealth | undefined,
): GateVerdict {
  if (route === undefined) {
    return {
      status: 'True',
      reason: 'NoLongerTarget',
      message: 'no target group routes to this pod through this gate any more',
    };
  }
  if (health?.kind === 'gone') {
    // Still routed to: the reconcile that creates it is on its way (or failing, which its
    // Ingress reports); the pod must not take traffic before it is a healthy target.
    return {
      status: 'False',
      reason: 'TargetGroupNotFound',
      message: 'the target group does not exist yet',
    };
  }
  if (podIp === undefined || podIp === '') {
    return { status: 'False', reason: 'PodIPUnknown', message: 'the pod has no IP yet' };
  }
  if (health === undefined) {
    return { status: 'False', reason: 'HealthUnknown', message: 'target health not read yet' };
  }
  const mine = health.targets.filter((t) => t.id === podIp);
  if (mine.length === 0) {
    return {
      status: 'False',
      reason: 'Target.NotRegistered',
      message: `${podIp} is not registered in the target group yet`,
    };
  }
  const unhealthy = mine.find((t) => t.state !== 'healthy');
  if (unhealthy === undefined) {
    return { status: 'True', reason: 'Healthy', message: `${podIp} is healthy` };
  }
  const at = `${unhealthy.id}:${String(unhealthy.port)}`;
  return {
    status: 'False',
    reason: unhealthy.reason ?? `Target.${unhealthy.state}`,
    message: `${at} is ${unhealthy.state}${unhealthy.description !== undefined ? `: ${unhealthy.description}` : ''}`,
  };
}

/** The pod's current condition of that type. */
export function podCondition(pod: V1Pod, type: string): V1PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === type);
}

/** The gates of ours a pod carries. */
export function podGates(pod: V1Pod): string[] {
  return (pod.spec?.readinessGates ?? []).map((g) => g.conditionType).filter(isOurGate);
}

/**
 * By gate, the IPs of pods that carry it with their containers ready (and are not
 * terminating). While the gate is not True their endpoints are not ready, yet they must
 * be registered for the gate ever to turn True. Once it is True they stay in, whatever
 * the gate says: between our condition write and the endpoint turning ready there is a
 * moment when only this keeps the target from being deregistered and registered again.
 */
export function gatedAddresses(pods: readonly V1Pod[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const pod of pods) {
    const ip = pod.status?.podIP;
    if (ip === undefined || ip === '' || pod.metadata?.deletionTimestamp !== undefined) continue;
    if (podCondition(pod, 'ContainersReady')?.status !== 'True') continue;
    for (const gate of podGates(pod)) {
      let ips = out.get(gate);
      if (ips === undefined) {
        ips = new Set();
        out.set(gate, ips);
      }
      ips.add(ip);
    }
  }
  return out;
}
