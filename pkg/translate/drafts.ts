/** What one member contributes before the group decides what is kept and in what order. */
import type { IngressAnnotations } from '../annotations/index.ts';
import type { Action, Problem, RuleCondition, RuleTransform, TargetGroup } from '../model/index.ts';
import type { HostKind, PathType } from './paths.ts';

export interface RuleDraft {
  readonly member: string;
  readonly memberIndex: number;
  readonly memberOrder: number;
  /** Index of `spec.rules[]` and of `http.paths[]`. */
  readonly ruleIndex: number;
  readonly pathIndex: number;
  readonly host: string;
  readonly hostKind: HostKind;
  readonly pathType: PathType;
  readonly path: string;
  /** Path length as ordering compares it. */
  readonly pathLength: number;
  /** How many earlier entries of this member had the same host, type and path. */
  readonly occurrence: number;
  readonly conditions: readonly RuleCondition[];
  readonly actions: readonly Action[];
  readonly transforms: readonly RuleTransform[];
  /** The authentication action to run first on HTTPS listeners. */
  readonly auth?: Action;
}

export interface MemberDraft {
  readonly key: string;
  readonly index: number;
  readonly order: number;
  readonly annotations: IngressAnnotations;
  readonly rules: readonly RuleDraft[];
  /** Target groups by id, in first-use order. */
  readonly targetGroups: readonly TargetGroup[];
  /** Foreign target groups (ARN or name) the member forwards to: they count against the limit. */
  readonly foreignTargetGroups: readonly string[];
  /** `spec.defaultBackend` translated, with a key to compare members by. */
  readonly defaultBackend:
    | { readonly key: string; readonly actions: readonly Action[]; readonly auth?: Action }
    | undefined;
  /** Hosts of `spec.rules` and `spec.tls`, for certificate discovery. */
  readonly hosts: readonly string[];
  /**
   * Present when the Ingress has `spec.tls`: its hosts (or, where the entries list none,
   * the rules' hosts). Certificate discovery for the implicit HTTPS listener uses these.
   */
  readonly tlsHosts?: readonly string[];
  readonly problems: readonly Problem[];
}

export const FIXED_404: Action = {
  Type: 'fixed-response',
  FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain' },
};

export const FIXED_503: Action = {
  Type: 'fixed-response',
  FixedResponseConfig: {
    StatusCode: '503',
    ContentType: 'text/plain',
    MessageBody: 'Backend service does not exist',
  },
};
