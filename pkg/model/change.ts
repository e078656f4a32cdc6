/**
 * One step of a plan. A plan is an ordered list: dependencies first, deletes last.
 */
export const ResourceKinds = [
  'SecurityGroup',
  'LoadBalancer',
  'TargetGroup',
  'Listener',
  'ListenerRule',
  'Targets',
  'BackendAccessRule',
  'WebAclAssociation',
  'WafRegionalAssociation',
  'ShieldProtection',
] as const;
export type ResourceKind = (typeof ResourceKinds)[number];

export type ChangeOp = 'create' | 'update' | 'replace' | 'delete';

export interface Change {
  readonly op: ChangeOp;
  readonly kind: ResourceKind;
  /** Stack id of the resource. */
  readonly id: string;
  /** Why, in words a reviewer reads: `scheme changed internal → internet-facing (new DNS name)`. */
  readonly reason: string;
  /** Names of the fields that differ, for updates. */
  readonly fields?: readonly string[];
}
