/**
 * Load-balancer add-ons: the web ACL (WAFv2 or classic WAF Regional) and Shield Advanced
 * protection of the ALB. They are not resources of the stack (no ownership tags, and the
 * web ACL is the user's), only associations the ALB has or has not.
 *
 * The spec's rule: an add-on no member sets is left alone, whatever AWS has; `none`
 * (WAF) or `false` (Shield) removes it. So every field here is optional, and `undefined`
 * means "don't care", as everywhere in the model.
 */

/** The WAFv2 web ACL wanted on the ALB. */
export type Wafv2Acl =
  /** `wafv2-acl-arn` */
  | { readonly kind: 'arn'; readonly arn: string }
  /** `wafv2-acl-name`: a REGIONAL web ACL, found by name (ListWebACLs) at apply time. */
  | { readonly kind: 'name'; readonly name: string }
  /** `none`: no web ACL. */
  | { readonly kind: 'none' };

export interface LoadBalancerAddons {
  /** Absent: leave the WAFv2 association alone. */
  readonly wafv2?: Wafv2Acl;
  /** Classic WAF Regional web ACL id, or `null` (`none`) for none. Absent: leave alone. */
  readonly wafRegional?: string | null;
  /** Shield Advanced protection on or off. Absent: leave alone. */
  readonly shieldAdvanced?: boolean;
}

/**
 * What the ALB has, as read when the desired add-ons needed it (full discovery, or after
 * an apply). A field is present only when it was read: absent means unknown.
 */
export interface ActualAddons {
  /** ARN of the associated WAFv2 web ACL, or `null` for none. */
  readonly wafv2?: string | null;
  /** Id of the associated classic WAF Regional web ACL, or `null` for none. */
  readonly wafRegional?: string | null;
  /** The Shield protection of the ALB (its id), or `null` for none. */
  readonly shieldProtectionId?: string | null;
}
