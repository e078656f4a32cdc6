/**
 * TargetGroupBinding (elbv2.k8s.aws/v1beta1), pure: its spec read from the API object,
 * its desired targets from the Service, EndpointSlices and Nodes, and the security
 * group rules its `networking` asks for. The controller gathers the inputs and applies;
 * the same target rules as an Ingress's target groups (targets.ts) decide who is a
 * target, so a binding and an Ingress never disagree about a pod or a node.
 */
import type {
  V1EndpointSlice,
  V1LabelSelector,
  V1Node,
  V1ObjectMeta,
  V1Pod,
  V1Service,
  V1ServicePort,
} from '@kubernetes/client-node';
import type { Target } from '../model/index.ts';
import { gateConditionType, gatesForPod, type PodRoute } from './readiness-gates.ts';
import { eligibleInstances, ipTargets } from './targets.ts';

export const TARGET_GROUP_BINDING = {
  group: 'elbv2.k8s.aws',
  version: 'v1beta1',
  plural: 'targetgroupbindings',
  kind: 'TargetGroupBinding',
} as const;

export type BindingTargetType = 'instance' | 'ip';

export interface BindingPeer {
  readonly ipBlock?: { readonly cidr: string };
  readonly securityGroup?: { readonly groupID: string };
}

export interface BindingPort {
  /** @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP';
  /** @default every port */
  readonly port?: number | string;
}

export interface BindingIngressRule {
  readonly from: readonly BindingPeer[];
  readonly ports: readonly BindingPort[];
}

export interface TargetGroupBindingSpec {
  readonly targetGroupARN?: string;
  readonly targetGroupName?: string;
  /** @default the target group's own target type */
  readonly targetType?: BindingTargetType;
  readonly serviceRef: { readonly name: string; readonly port: number | string };
  readonly networking?: { readonly ingress?: readonly BindingIngressRule[] };
  readonly nodeSelector?: V1LabelSelector;
  /** @default 'ipv4' */
  readonly ipAddressType?: 'ipv4' | 'ipv6';
  readonly vpcID?: string;
  /** @default false */
  readonly multiClusterTargetGroup?: boolean;
}

/** What is read of a TargetGroupBinding object. */
export interface TargetGroupBindingObject {
  readonly metadata?: V1ObjectMeta;
  readonly spec?: unknown;
}

export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail<T>(error: string): Parsed<T> {
  return { ok: false, error };
}

/** A value as the user wrote it, for an error message. */
function shown(value: unknown): string {
  if (typeof value === 'string') return value;
  return value === undefined ? 'undefined' : JSON.stringify(value);
}

function intOrString(value: unknown): value is number | string {
  return (typeof value === 'number' && Number.isInteger(value)) || typeof value === 'string';
}

/**
 * The spec, checked for what the reconciler relies on. The CRD's schema already rejects
 * most bad input at the API server; this guards objects that predate it or bypassed it.
 */
export function parseBindingSpec(spec: unknown): Parsed<TargetGroupBindingSpec> {
  if (!isRecord(spec)) return fail('spec: missing');
  const { targetGroupARN: arn, targetGroupName: name, targetType, serviceRef } = spec;
  if (arn !== undefined && (typeof arn !== 'string' || arn === ''))
    return fail(`spec.targetGroupARN: "${shown(arn)}" is not an ARN`);
  if (name !== undefined && (typeof name !== 'string' || name === ''))
    return fail(`spec.targetGroupName: "${shown(name)}" is not a name`);
  if (arn === undefined && name === undefined)
    return fail('spec.targetGroupARN or spec.targetGroupName: one is required, neither is given');
  if (targetType !== undefined && targetType !== 'instance' && targetType !== 'ip')
    return fail(`spec.targetType: "${shown(targetType)}" is not allowed; allowed: instance, ip`);
  if (!isRecord(serviceRef) || typeof serviceRef.name !== 'string' || serviceRef.name === '')
    return fail('spec.serviceRef.name: required');
  if (!intOrString(serviceRef.port))
    return fail(`spec.serviceRef.port: "${shown(serviceRef.port)}" is not a port number or name`);
  const ipAddressType = spec.ipAddressType;
  if (ipAddressType !== undefined && ipAddressType !== 'ipv4' && ipAddressType !== 'ipv6')
    return fail(
      `spec.ipAddressType: "${shown(ipAddressType)}" is not allowed; allowed: ipv4, ipv6`,
    );
  const networking = parseNetworking(spec.networking);
  if (!networking.ok) return networking;
  const out: TargetGroupBindingSpec = {
    ...(arn !== undefined ? { targetGroupARN: arn } : {}),
    ...(name !== undefined ? { targetGroupName: name } : {}),
    ...(targetType !== undefined ? { targetType } : {}),
    serviceRef: { name: serviceRef.name, port: serviceRef.port },
    ...(networking.value !== undefined ? { networking: networking.value } : {}),
    ...(isRecord(spec.nodeSelector) ? { nodeSelector: spec.nodeSelector } : {}),
    ...(ipAddressType !== undefined ? { ipAddressType } : {}),
    ...(typeof spec.vpcID === 'string' ? { vpcID: spec.vpcID } : {}),
    ...(spec.multiClusterTargetGroup === true ? { multiClusterTargetGroup: true } : {}),
  };
  return { ok: true, value: out };
}

function parseNetworking(
  value: unknown,
): Parsed<{ readonly ingress: readonly BindingIngressRule[] } | undefined> {
  if (value === undefined) return { ok: true, value: undefined };
  if (!isRecord(value)) return fail('spec.networking: not an object');
  const rules: BindingIngressRule[] = [];
  const list = value.ingress ?? [];
  if (!Array.isArray(list)) return fail('spec.networking.ingress: not a list');
  for (const [i, rule] of list.entries()) {
    const at = `spec.networking.ingress[${String(i)}]`;
    if (!isRecord(rule) || !Array.isArray(rule.from) || !Array.isArray(rule.ports))
      return fail(`${at}: needs from[] and ports[]`);
    const from: BindingPeer[] = [];
    for (const [j, peer] of rule.from.entries()) {
      const cidr = isRecord(peer) && isRecord(peer.ipBlock) ? peer.ipBlock.cidr : undefined;
      const group =
        isRecord(peer) && isRecord(peer.securityGroup) ? peer.securityGroup.groupID : undefined;
      if (typeof cidr === 'string' && group === undefined) from.push({ ipBlock: { cidr } });
      else if (typeof group === 'string' && cidr === undefined)
        from.push({ securityGroup: { groupID: group } });
      else
        return fail(
          `${at}.from[${String(j)}]: needs exactly one of ipBlock.cidr or securityGroup.groupID`,
        );
    }
    const ports: BindingPort[] = [];
    for (const [j, p] of rule.ports.entries()) {
      if (!isRecord(p)) return fail(`${at}.ports[${String(j)}]: not an object`);
      const protocol = p.protocol;
      if (protocol !== undefined && protocol !== 'TCP' && protocol !== 'UDP')
        return fail(
          `${at}.ports[${String(j)}].protocol: "${shown(protocol)}" is not allowed; allowed: TCP, UDP`,
        );
      if (p.port !== undefined && !intOrString(p.port))
        return fail(
          `${at}.ports[${String(j)}].port: "${shown(p.port)}" is not a port number or name`,
        );
      ports.push({
        ...(protocol !== undefined ? { protocol } : {}),
        ...(p.port !== undefined ? { port: p.port } : {}),
      });
    }
    rules.push({ from, ports });
  }
  return { ok: true, value: { ingress: rules } };
}

/** The Service port `serviceRef.port` names: by port number or by port name. */
export function bindingServicePort(
  service: V1Service,
  port: number | string,
): Parsed<V1ServicePort> {
  const ports = service.spec?.ports ?? [];
  const found = ports.find((p) => (typeof port === 'number' ? p.port === port : p.name === port));
  if (found !== undefined) return { ok: true, value: found };
  const have = ports.map((p) =>
    p.name === undefined ? String(p.port) : `${p.name}/${String(p.port)}`,
  );
  return fail(
    `spec.serviceRef.port: "${String(port)}" is not a port of Service ${service.metadata?.name ?? ''}; it has: ${have.join(', ') || 'none'}`,
  );
}

/** Kubernetes label-selector semantics (matchLabels AND matchExpressions); none selects all. */
export function selectorMatches(
  selector: V1LabelSelector | undefined,
  labels: Readonly<Record<string, string>>,
): boolean {
  if (selector === undefined) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {}))
    if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const value = labels[e.key];
    const inValues = value !== undefined && (e.values ?? []).includes(value);
    const ok =
      e.operator === 'In'
        ? inValues
        : e.operator === 'NotIn'
          ? !inValues
          : e.operator === 'Exists'
            ? has
            : e.operator === 'DoesNotExist'
              ? !has
              : false;
    if (!ok) return false;
  }
  return true;
}

export interface BindingInputs {
  readonly service: V1Service;
  readonly slices: readonly V1EndpointSlice[];
  readonly nodes: readonly V1Node[];
  /**
   * Pods carrying this binding's readiness gate with their containers ready: registered
   * though their endpoint is not ready, or the gate could never turn True.
   */
  readonly gated?: ReadonlySet<string>;
}

/**
 * The targets the binding wants: ready endpoints of the port (ip), or eligible nodes
 * matching `nodeSelector` on the port's NodePort (instance).
 */
export function bindingTargets(
  spec: TargetGroupBindingSpec,
  targetType: BindingTargetType,
  inputs: BindingInputs,
): Parsed<readonly Target[]> {
  const port = bindingServicePort(inputs.service, spec.serviceRef.port);
  if (!port.ok) return port;
  if (targetType === 'ip') {
    const family = spec.ipAddressType === 'ipv6' ? 'IPv6' : 'IPv4';
    return { ok: true, value: ipTargets(inputs.slices, port.value, family, inputs.gated) ?? [] };
  }
  const nodePort = port.value.nodePort;
  if (nodePort === undefined)
    return fail(
      `spec.targetType: "instance" needs a NodePort, and port "${String(spec.serviceRef.port)}" of Service ${inputs.service.metadata?.name ?? ''} (type ${inputs.service.spec?.type ?? 'ClusterIP'}) has none; use type NodePort or LoadBalancer, or targetType ip`,
    );
  const nodes = inputs.nodes.filter((n) =>
    selectorMatches(spec.nodeSelector, n.metadata?.labels ?? {}),
  );
  return {
    ok: true,
    value: eligibleInstances(nodes, undefined).map((id) => ({ id, port: nodePort })),
  };
}

/** One inbound rule a binding wants on its targets' security groups. */
export interface BindingRule {
  readonly protocol: 'tcp' | 'udp';
  readonly fromPort: number;
  readonly toPort: number;
  readonly cidr?: string;
  readonly sourceGroupId?: string;
}

export function bindingRuleKey(r: BindingRule): string {
  return `${r.protocol}/${String(r.fromPort)}-${String(r.toPort)}/${r.cidr ?? r.sourceGroupId ?? ''}`;
}

/**
 * The rules `networking` asks for. A port left out means every port; a numeric port is
 * taken as given (the NodePort in instance mode, the pod port in ip mode); a named port
 * is the Service port's targetPort name in ip mode, resolved to the endpoints' port.
 */
export function bindingRules(
  spec: TargetGroupBindingSpec,
  targetType: BindingTargetType,
  servicePort: V1ServicePort,
  targets: readonly Target[],
): Parsed<readonly BindingRule[]> {
  const out = new Map<string, BindingRule>();
  for (const [i, rule] of (spec.networking?.ingress ?? []).entries()) {
    for (const [j, p] of rule.ports.entries()) {
      const protocol = p.protocol === 'UDP' ? 'udp' : 'tcp';
      let ranges: (readonly [number, number])[];
      if (p.port === undefined) ranges = [[0, 65535]];
      else if (typeof p.port === 'number') ranges = [[p.port, p.port]];
      else if (targetType === 'ip' && servicePort.targetPort === p.port)
        ranges = [...new Set(targets.map((t) => t.port))]
          .sort((a, b) => a - b)
          .map((n) => [n, n] as const);
      else
        return fail(
          `spec.networking.ingress[${String(i)}].ports[${String(j)}].port: "${p.port}" is not a named port this binding can resolve; allowed: a port number, or in ip mode the targetPort name of the Service port (${typeof servicePort.targetPort === 'string' ? servicePort.targetPort : 'none'})`,
        );
      for (const [fromPort, toPort] of ranges) {
        for (const peer of rule.from) {
          const r: BindingRule = {
            protocol,
            fromPort,
            toPort,
            ...(peer.ipBlock !== undefined ? { cidr: peer.ipBlock.cidr } : {}),
            ...(peer.securityGroup !== undefined
              ? { sourceGroupId: peer.securityGroup.groupID }
              : {}),
          };
          out.set(bindingRuleKey(r), r);
        }
      }
    }
  }
  return {
    ok: true,
    value: [...out.values()].sort((a, b) => (bindingRuleKey(a) < bindingRuleKey(b) ? -1 : 1)),
  };
}

/** The readiness gate condition type for a binding (the reference's name). */
export function readinessGateName(bindingName: string): string {
  return gateConditionType(bindingName);
}

/**
 * The routes of the bindings in `namespace`: one per ip-mode binding whose Service has a
 * selector, gated by the binding's name, its target group by ARN (else by name).
 * A binding with no targetType set is counted: its target group decides, and an ip
 * target group is the only kind a pod gate means anything for, so the gate errs on the
 * side of waiting for health.
 */
export function bindingPodRoutes(
  namespace: string,
  bindings: readonly TargetGroupBindingObject[],
  services: ReadonlyMap<string, V1Service>,
): PodRoute[] {
  const routes: PodRoute[] = [];
  for (const b of bindings) {
    const name = b.metadata?.name;
    if ((b.metadata?.namespace ?? '') !== namespace || name === undefined) continue;
    const spec = parseBindingSpec(b.spec);
    if (!spec.ok || spec.value.targetType === 'instance') continue;
    const selector = services.get(`${namespace}/${spec.value.serviceRef.name}`)?.spec?.selector;
    if (selector === undefined || Object.keys(selector).length === 0) continue;
    const { targetGroupARN: arn, targetGroupName } = spec.value;
    routes.push({
      gate: readinessGateName(name),
      namespace,
      service: spec.value.serviceRef.name,
      selector,
      targetGroup:
        arn !== undefined ? { kind: 'arn', arn } : { kind: 'name', name: targetGroupName ?? '' },
    });
  }
  return routes;
}

/**
 * The readiness gates a pod needs for TargetGroupBindings: one per route of
 * `bindingPodRoutes` in the pod's namespace whose selector the pod's labels satisfy.
 */
export function bindingReadinessGates(
  pod: V1Pod,
  bindings: readonly TargetGroupBindingObject[],
  services: ReadonlyMap<string, V1Service>,
): string[] {
  return gatesForPod(pod, bindingPodRoutes(pod.metadata?.namespace ?? '', bindings, services));
}

/**
 * The name of the target group a binding names: its `targetGroupName`, or the name in its
 * ARN (`arn:…:targetgroup/<name>/<id>`). Target group names are unique in an account and
 * region, so two bindings naming the same one, by ARN or by name, are told apart without
 * asking AWS.
 */
export function boundTargetGroupName(spec: TargetGroupBindingSpec): string {
  if (spec.targetGroupARN === undefined) return spec.targetGroupName ?? '';
  const m = /:targetgroup\/([^/]+)\//.exec(spec.targetGroupARN);
  return m?.[1] ?? spec.targetGroupARN;
}

/** `namespace/name` of a binding, as messages and ordering show it. */
export function bindingRef(b: TargetGroupBindingObject): string {
  return `${b.metadata?.namespace ?? ''}/${b.metadata?.name ?? ''}`;
}

function createdAt(b: TargetGroupBindingObject): string {
  const t: unknown = b.metadata?.creationTimestamp;
  // Typed clients hand a Date, the custom-object client the RFC 3339 string: both sort.
  if (typeof t === 'string') return t;
  return typeof t === 'object' && t !== null && 'toISOString' in t
    ? (t as { toISOString(): string }).toISOString().replace(/\.\d{3}Z$/, 'Z')
    : '';
}

/** Older first, then `namespace/name`: the order in which bindings claim a target group. */
function claimsFirst(a: TargetGroupBindingObject, b: TargetGroupBindingObject): number {
  const ta = createdAt(a);
  const tb = createdAt(b);
  if (ta !== tb) return ta === '' ? 1 : tb === '' ? -1 : ta < tb ? -1 : 1;
  const ra = bindingRef(a);
  const rb = bindingRef(b);
  return ra < rb ? -1 : ra > rb ? 1 : 0;
}

/**
 * The binding that holds the target group `self` names, when it is another one: of all
 * the bindings naming that target group (those being deleted too, until they are gone),
 * the one created first, then the first by `namespace/name`. A target group has one set
 * of targets, so a second binding on it could only deregister what the first serves; it
 * is refused instead, and never touches the targets. The holder keeps it until it is
 * deleted, since a binding made later is always younger.
 */
export function targetGroupHolder(
  self: TargetGroupBindingObject,
  all: readonly TargetGroupBindingObject[],
): TargetGroupBindingObject | undefined {
  const mine = parseBindingSpec(self.spec);
  if (!mine.ok) return undefined;
  const name = boundTargetGroupName(mine.value);
  const claims = all.filter((b) => {
    if (bindingRef(b) === bindingRef(self)) return true;
    const spec = parseBindingSpec(b.spec);
    return spec.ok && boundTargetGroupName(spec.value) === name;
  });
  const first = [...claims].sort(claimsFirst)[0];
  return first === undefined || bindingRef(first) === bindingRef(self) ? undefined : first;
}
