/**
 * A plan: the ordered steps that take what exists (an ActualStack) to what is desired (a
 * Stack). Each step is a pkg/model `Change` — `{op, kind, id, reason, fields?}`, the part
 * printed by `albatross plan` and logged — plus what apply needs to perform it: the
 * desired resource, the actual one (with its ARN), or both. `step` tells apply which
 * call to make; `op` is what a reviewer reads.
 *
 * Apply runs the steps one by one, in order: every step is valid given the ones before it
 * (dependencies exist, rule priorities are free), so apply needs no ordering logic of its
 * own and may stop at any step without leaving two rules on one priority.
 */
import type {
  ActualBackendAccessRule,
  ActualListener,
  ActualListenerRule,
  ActualLoadBalancer,
  ActualSecurityGroup,
  ActualTargetGroup,
  BackendAccessRule,
  Change,
  DuplicateKind,
  Listener,
  ListenerRule,
  LoadBalancer,
  SecurityGroup,
  SecurityGroupIngress,
  Target,
  TargetGroup,
  Wafv2Acl,
} from '../model/index.ts';

interface DesiredOf {
  readonly SecurityGroup: SecurityGroup;
  readonly LoadBalancer: LoadBalancer;
  readonly TargetGroup: TargetGroup;
  readonly Listener: Listener;
  readonly ListenerRule: ListenerRule;
  readonly BackendAccessRule: BackendAccessRule;
}

interface ActualOf {
  readonly SecurityGroup: ActualSecurityGroup;
  readonly LoadBalancer: ActualLoadBalancer;
  readonly TargetGroup: ActualTargetGroup;
  readonly Listener: ActualListener;
  readonly ListenerRule: ActualListenerRule;
  readonly BackendAccessRule: ActualBackendAccessRule;
}

/** The kinds that are cloud resources of their own (everything but `Targets`). */
export type ResourceChangeKind = keyof DesiredOf;

/** Create `desired`. */
export interface CreateStep<K extends ResourceChangeKind> extends Change {
  readonly op: 'create';
  readonly kind: K;
  readonly step: 'create';
  readonly desired: DesiredOf[K];
}

/** Change `fields` of `actual` in place so that it matches `desired`. */
export interface UpdateStep<K extends ResourceChangeKind> extends Change {
  readonly op: 'update';
  readonly kind: K;
  readonly step: 'update';
  readonly desired: DesiredOf[K];
  readonly actual: ActualOf[K];
  readonly fields: readonly string[];
}

/** A security group update also lists the permissions to authorize and to revoke. */
export interface SecurityGroupUpdateStep extends UpdateStep<'SecurityGroup'> {
  readonly authorize: readonly SecurityGroupIngress[];
  readonly revoke: readonly SecurityGroupIngress[];
}

/**
 * Create `desired` in place of `actual`, which cannot change in place. With
 * `deleteFirst` apply deletes `actual` before creating (a load balancer: its target
 * groups can serve only one load balancer and its name may be kept); otherwise the old
 * resource is deleted by a later `delete-replaced` step, once nothing uses it.
 */
export interface ReplaceStep<K extends ResourceChangeKind> extends Change {
  readonly op: 'replace';
  readonly kind: K;
  readonly step: 'replace';
  readonly desired: DesiredOf[K];
  readonly actual: ActualOf[K];
  readonly deleteFirst: boolean;
}

/** Delete `actual`: it is no longer desired, or (`delete-replaced`) it was replaced. */
export interface DeleteStep<K extends ResourceChangeKind> extends Change {
  readonly op: 'delete';
  readonly kind: K;
  readonly step: 'delete' | 'delete-replaced';
  readonly actual: ActualOf[K];
}

/**
 * Delete `actual`, a duplicate of the resource `keptArn` (see ActualStack.duplicates):
 * apply deletes it and leaves what it knows of the kept one as it is.
 */
export interface DuplicateDeleteStep<K extends DuplicateKind> extends Change {
  readonly op: 'delete';
  readonly kind: K;
  readonly step: 'delete-duplicate';
  readonly actual: ActualOf[K];
  readonly keptArn: string;
}

/**
 * Move an existing rule to another priority (SetRulePriorities with one entry). `to` is
 * free when the step runs; it may be a temporary priority that a later step leaves.
 */
export interface RulePriorityStep extends Change {
  readonly op: 'update';
  readonly kind: 'ListenerRule';
  readonly step: 'set-priority';
  readonly fields: readonly ['priority'];
  readonly actual: ActualListenerRule;
  readonly from: number;
  readonly to: number;
}

/**
 * Register and deregister targets of the target group whose stack id is `id`
 * (`create` when the group is new or replaced, so its ARN is known only after apply).
 */
export interface TargetsStep extends Change {
  readonly op: 'create' | 'update';
  readonly kind: 'Targets';
  readonly step: 'targets';
  /** ARN of the existing group; `null` when it is created by this plan. */
  readonly targetGroupArn: string | null;
  readonly register: readonly Target[];
  readonly deregister: readonly Target[];
}

type StepsOf<K extends ResourceChangeKind> =
  | CreateStep<K>
  | (K extends 'SecurityGroup' ? SecurityGroupUpdateStep : UpdateStep<K>)
  | ReplaceStep<K>
  | DeleteStep<K>
  | (K extends DuplicateKind ? DuplicateDeleteStep<K> : never);

export type ResourceStep = { [K in ResourceChangeKind]: StepsOf<K> }[ResourceChangeKind];

/**
 * Set one add-on of the load balancer (see plan-addons.ts). `loadBalancerArn` is `null`
 * when this plan creates the load balancer: apply takes the ARN it created.
 */
export type AddonStep = Change & {
  readonly op: 'create' | 'update' | 'delete';
  readonly loadBalancerArn: string | null;
} & (
    | { readonly kind: 'WebAclAssociation'; readonly step: 'associate'; readonly acl: Wafv2Acl }
    | { readonly kind: 'WebAclAssociation'; readonly step: 'disassociate' }
    | {
        readonly kind: 'WafRegionalAssociation';
        readonly step: 'associate';
        readonly webAclId: string;
      }
    | { readonly kind: 'WafRegionalAssociation'; readonly step: 'disassociate' }
    | { readonly kind: 'ShieldProtection'; readonly step: 'protect' }
    | {
        readonly kind: 'ShieldProtection';
        readonly step: 'unprotect';
        readonly protectionId: string;
      }
  );

export type PlannedChange = ResourceStep | RulePriorityStep | TargetsStep | AddonStep;

/**
 * Ordered: dependencies first, deletes last (some rule deletes sooner where a load
 * balancer quota needs the room). Empty when actual already matches desired.
 */
export type Plan = readonly PlannedChange[];
