/**
 * Field-by-field comparison of one desired resource with its discovered twin: which
 * differences need a replacement (the field cannot change in place in AWS) and which an
 * update, each with the words a reviewer reads in the plan.
 */
import type {
  ActualListener,
  ActualLoadBalancer,
  ActualSecurityGroup,
  ActualTargetGroup,
  Attributes,
  HealthCheck,
  Listener,
  LoadBalancer,
  SecurityGroup,
  SecurityGroupIngress,
  SecurityGroupRef,
  TargetGroup,
} from '../model/index.ts';
import { actionsMatch, covers, differingKeys } from './equality.ts';
import {
  describeMutualAuthentication,
  mutualAuthenticationMatches,
} from './mutual-authentication.ts';

/** The in-place differences: field names (for `Change.fields`) and their descriptions. */
export interface FieldDiff {
  readonly fields: readonly string[];
  readonly reasons: readonly string[];
}

class DiffBuilder {
  readonly fields: string[] = [];
  readonly reasons: string[] = [];

  add(field: string, reason: string): void {
    this.fields.push(field);
    this.reasons.push(reason);
  }

  value(field: string, desired: string | number, actual: string | number): void {
    if (desired !== actual) this.add(field, `${field} ${String(actual)} → ${String(desired)}`);
  }

  keyed(prefix: 'attributes' | 'tags', desired: Attributes, actual: Attributes): void {
    const label = prefix === 'attributes' ? 'attribute' : 'tag';
    for (const key of differingKeys(desired, actual)) {
      this.add(
        `${prefix}.${key}`,
        `${label} ${key} ${actual[key] ?? '(unset)'} → ${desired[key] ?? ''}`,
      );
    }
  }

  result(): FieldDiff {
    return { fields: this.fields, reasons: this.reasons };
  }
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = [...new Set(a)].sort();
  const right = [...new Set(b)].sort();
  return left.length === right.length && left.every((item, index) => item === right[index]);
}

function refKey(ref: SecurityGroupRef): string {
  switch (ref.kind) {
    case 'managed':
      return `managed:${ref.id}`;
    case 'shared-backend':
      return 'shared-backend';
    case 'listed':
      return `listed:${ref.entry}`;
  }
}

/**
 * A group listed by Name tag cannot be compared with what discovery reports (IDs): such a
 * selection is compared once the environment has resolved it to `sg-…` IDs.
 */
function comparableRefs(refs: readonly SecurityGroupRef[]): boolean {
  return refs.every((ref) => ref.kind !== 'listed' || ref.entry.startsWith('sg-'));
}

/** Why the load balancer must be replaced, or `null` when it can be updated in place. */
export function loadBalancerReplaceReason(
  desired: LoadBalancer,
  actual: ActualLoadBalancer,
): string | null {
  if (desired.scheme !== actual.scheme) {
    return `scheme changed ${actual.scheme} → ${desired.scheme} (new DNS name)`;
  }
  if (desired.name !== actual.name) {
    return `name changed ${actual.name} → ${desired.name} (new DNS name)`;
  }
  if (desired.customerOwnedIpv4Pool !== actual.customerOwnedIpv4Pool) {
    return `customerOwnedIpv4Pool changed ${actual.customerOwnedIpv4Pool ?? '(none)'} → ${desired.customerOwnedIpv4Pool ?? '(none)'} (set only at creation; new DNS name)`;
  }
  return null;
}

export function loadBalancerDiff(desired: LoadBalancer, actual: ActualLoadBalancer): FieldDiff {
  const diff = new DiffBuilder();
  diff.value('ipAddressType', desired.ipAddressType, actual.ipAddressType);
  // Offline the subnets are a selection, not IDs: nothing to compare until resolved. A
  // discovered set only places a new ALB: an existing one keeps its subnets (the spec).
  if (
    desired.subnets.kind === 'resolved' &&
    desired.subnets.discovered !== true &&
    actual.subnets.kind === 'resolved'
  ) {
    if (!sameSet(desired.subnets.subnetIds, actual.subnets.subnetIds)) {
      diff.add(
        'subnets',
        `subnets ${actual.subnets.subnetIds.join(',')} → ${desired.subnets.subnetIds.join(',')}`,
      );
    }
  }
  if (comparableRefs(desired.securityGroups)) {
    const want = desired.securityGroups.map(refKey);
    const have = actual.securityGroups.map(refKey);
    if (!sameSet(want, have)) {
      diff.add('securityGroups', `security groups ${have.join(',')} → ${want.join(',')}`);
    }
  }
  // Absent means no pool: a pool set earlier is removed in place.
  if (desired.ipamIpv4PoolId !== actual.ipamIpv4PoolId) {
    diff.add(
      'ipamIpv4PoolId',
      `ipamIpv4PoolId ${actual.ipamIpv4PoolId ?? '(none)'} → ${desired.ipamIpv4PoolId ?? '(none)'}`,
    );
  }
  // Absent means "don't care": a reservation is only changed when the annotation says so.
  if (
    desired.minimumCapacityUnits !== undefined &&
    desired.minimumCapacityUnits !== (actual.minimumCapacityUnits ?? 0)
  ) {
    diff.add(
      'minimumCapacityUnits',
      `minimumCapacityUnits ${actual.minimumCapacityUnits ?? '(none)'} → ${desired.minimumCapacityUnits}`,
    );
  }
  diff.keyed('attributes', desired.attributes, actual.attributes);
  diff.keyed('tags', desired.tags, actual.tags);
  return diff.result();
}

function certificatesMatch(desired: Listener, actual: ActualListener): boolean {
  const [wantDefault, ...wantSni] = desired.certificates.map((c) => c.certificateArn);
  const [haveDefault, ...haveSni] = actual.certificates.map((c) => c.certificateArn);
  return wantDefault === haveDefault && sameSet(wantSni, haveSni);
}

/** A listener's port is its identity (`listener/<port>`): everything else changes in place. */
export function listenerDiff(desired: Listener, actual: ActualListener): FieldDiff {
  const diff = new DiffBuilder();
  diff.value('protocol', desired.protocol, actual.protocol);
  if (!certificatesMatch(desired, actual)) diff.add('certificates', 'certificates changed');
  if (desired.sslPolicy !== undefined && desired.sslPolicy !== actual.sslPolicy) {
    diff.add('sslPolicy', `sslPolicy ${actual.sslPolicy ?? '(unset)'} → ${desired.sslPolicy}`);
  }
  if (!actionsMatch(desired.defaultActions, actual.defaultActions)) {
    diff.add('defaultActions', 'default actions changed');
  }
  if (!mutualAuthenticationMatches(desired.mutualAuthentication, actual.mutualAuthentication)) {
    diff.add(
      'mutualAuthentication',
      `mutual TLS ${describeMutualAuthentication(actual.mutualAuthentication)} → ${describeMutualAuthentication(desired.mutualAuthentication)}`,
    );
  }
  diff.keyed('attributes', desired.attributes, actual.attributes);
  diff.keyed('tags', desired.tags, actual.tags);
  return diff.result();
}

const targetGroupIdentity = [
  'targetType',
  'protocol',
  'protocolVersion',
  'port',
  'ipAddressType',
  'name',
] as const;

/** Target type, protocol, protocol version, port and IP family cannot change in place. */
export function targetGroupReplaceReason(
  desired: TargetGroup,
  actual: ActualTargetGroup,
): string | null {
  if (desired.targetControlPort !== actual.targetControlPort) {
    const shown = (p: number | undefined): string => (p === undefined ? 'none' : String(p));
    return `targetControlPort changed ${shown(actual.targetControlPort)} → ${shown(desired.targetControlPort)} (set only at creation)`;
  }
  for (const field of targetGroupIdentity) {
    if (desired[field] !== actual[field]) {
      const detail = field === 'name' ? '' : ' (cannot change in place)';
      return `${field} changed ${String(actual[field])} → ${String(desired[field])}${detail}`;
    }
  }
  return null;
}

const healthCheckFields = [
  'port',
  'protocol',
  'path',
  'intervalSeconds',
  'timeoutSeconds',
  'healthyThresholdCount',
  'unhealthyThresholdCount',
  'successCodes',
] as const satisfies readonly (keyof HealthCheck)[];

export function targetGroupDiff(desired: TargetGroup, actual: ActualTargetGroup): FieldDiff {
  const diff = new DiffBuilder();
  for (const field of healthCheckFields) {
    diff.value(`healthCheck.${field}`, desired.healthCheck[field], actual.healthCheck[field]);
  }
  diff.keyed('attributes', desired.attributes, actual.attributes);
  diff.keyed('tags', desired.tags, actual.tags);
  return diff.result();
}

/** EC2 cannot rename a security group nor change its description. */
export function securityGroupReplaceReason(
  desired: SecurityGroup,
  actual: ActualSecurityGroup,
): string | null {
  if (desired.name !== actual.name) {
    return `name changed ${actual.name} → ${desired.name} (cannot change in place)`;
  }
  if (desired.description !== actual.description) {
    return 'description changed (cannot change in place)';
  }
  return null;
}

export interface IngressDelta {
  readonly authorize: readonly SecurityGroupIngress[];
  readonly revoke: readonly SecurityGroupIngress[];
}

/** Permissions as a set: each desired one matched to a distinct actual one. */
export function ingressDelta(
  desired: readonly SecurityGroupIngress[],
  actual: readonly SecurityGroupIngress[],
): IngressDelta {
  const unused = [...actual];
  const authorize: SecurityGroupIngress[] = [];
  for (const permission of desired) {
    const index = unused.findIndex((candidate) => covers(permission, candidate));
    if (index < 0) authorize.push(permission);
    else unused.splice(index, 1);
  }
  return { authorize, revoke: unused };
}

export function securityGroupDiff(
  desired: SecurityGroup,
  actual: ActualSecurityGroup,
): FieldDiff & IngressDelta {
  const diff = new DiffBuilder();
  const delta = ingressDelta(desired.ingress, actual.ingress);
  if (delta.authorize.length > 0 || delta.revoke.length > 0) {
    diff.add(
      'ingress',
      `ingress: authorize ${delta.authorize.length}, revoke ${delta.revoke.length}`,
    );
  }
  diff.keyed('tags', desired.tags, actual.tags);
  return { ...diff.result(), ...delta };
}
