/**
 * An IngressGroup: the Ingresses that share one ALB. Implicit groups hold one Ingress;
 * explicit groups are named by `alb.ingress.kubernetes.io/group.name`.
 */
import type { V1Ingress } from '@kubernetes/client-node';
import type { Problem } from '../model/index.ts';
import type { MemberParams } from './class-params.ts';

export type GroupKey =
  | { readonly kind: 'implicit'; readonly namespace: string; readonly name: string }
  | { readonly kind: 'explicit'; readonly name: string };

export interface GroupMember {
  /** `namespace/name` */
  readonly key: string;
  readonly ingress: V1Ingress;
  /** `group.order`, parsed; 0 when absent or invalid (the problem is in the group's `problems`). */
  readonly order: number;
  /** The IngressClassParams of its class, when it has some. */
  readonly params?: MemberParams;
}

export interface IngressGroup {
  readonly key: GroupKey;
  /** `namespace/name` for implicit groups, the group name for explicit ones. */
  readonly id: string;
  /** Ours, not being deleted; sorted by `group.order`, then `namespace/name`. */
  readonly members: readonly GroupMember[];
  /**
   * Still holding our finalizer but no longer active here (being deleted, moved to
   * another group, or no longer of our class): re-apply without them, then release them.
   */
  readonly inactiveMembers: readonly GroupMember[];
  /** Problems found while grouping (a bad `group.name` or `group.order`); translate adds its own. */
  readonly problems: readonly Problem[];
}
