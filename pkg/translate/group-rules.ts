/**
 * How each annotation behaves inside an IngressGroup. The reference controller fails the
 * whole group on a conflict; we report it on every member involved — an error on the
 * later member (frozen: nothing of its own changes) and a warning on the member whose
 * value is kept, naming the other — and the first member in group order wins.
 *
 * - exclusive (one value for the whole ALB): scheme, ip-address-type, load-balancer-name,
 *   subnets, security-groups, inbound-cidrs, security-group-prefix-lists,
 *   manage-backend-security-group-rules, customer-owned-ipv4-pool, ipam-ipv4-pool-id,
 *   minimum-load-balancer-capacity, ssl-policy, ssl-redirect;
 * - merged maps, key by key (a key with two values conflicts): tags,
 *   load-balancer-attributes;
 * - merged lists: listen-ports (union; a port has one protocol), certificate-arn (union
 *   per HTTPS port, the first member's first ARN is the default);
 * - per member (never conflict): actions.*, conditions.*, transforms.*,
 *   use-regex-path-match, rewrite-target, and the target-group annotations.
 *
 * `spec.defaultBackend` is exclusive too: set on more than one member, every one of them
 * is reported (there is no order-independent winner for what answers unmatched requests).
 */
import { albAnnotation } from '../annotations/index.ts';
import type { Problem } from '../model/index.ts';
import { problem } from './problems.ts';

export const EXCLUSIVE_ANNOTATIONS = [
  'scheme',
  'ip-address-type',
  'load-balancer-name',
  'subnets',
  'security-groups',
  'inbound-cidrs',
  'security-group-prefix-lists',
  'manage-backend-security-group-rules',
  'customer-owned-ipv4-pool',
  'ipam-ipv4-pool-id',
  'minimum-load-balancer-capacity',
  'ssl-policy',
  'ssl-redirect',
] as const;

export const MERGED_ANNOTATIONS = [
  'tags',
  'load-balancer-attributes',
  'listen-ports',
  'certificate-arn',
] as const;

/** The warning the winning member gets when a later member disagrees with it. */
export function conflictWarning(
  owner: string,
  short: string,
  kept: string,
  other: string,
  otherValue: string,
): Problem {
  return problem(
    owner,
    albAnnotation(short),
    kept,
    `${other} sets '${otherValue}' in the same group; this member's '${kept}' is kept (first in group order) and ${other} is not applied until the two agree`,
    'warning',
  );
}
