/**
 * The ALB quotas Albatross plans within (AWS's defaults unless the flags say otherwise):
 * translate freezes the member that would take a group past one, and the plan orders
 * its steps so that no state on the way passes one either.
 *
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html
 */
export interface LoadBalancerQuotas {
  /** Listener rules per load balancer, default rules not counted. @default 100 */
  readonly rulesPerLoadBalancer: number;
  /** Target groups a load balancer's listeners and rules forward to. @default 100 */
  readonly targetGroupsPerLoadBalancer: number;
  /** SNI certificates per listener, the default certificate not counted. @default 25 */
  readonly sniCertificatesPerListener: number;
}

/**
 * AWS's defaults. An account whose quotas differ tells the controller with the
 * `--quota-*` flags (TranslateConfig.quotas; docs/decisions/0018-quota-refusals.md).
 */
export const AlbQuotas = {
  /** Listener rules per load balancer, default rules not counted. */
  rulesPerLoadBalancer: 100,
  /** Target groups a load balancer's listeners and rules forward to. */
  targetGroupsPerLoadBalancer: 100,
  /** SNI certificates per listener, the default certificate not counted. */
  sniCertificatesPerListener: 25,
} as const satisfies LoadBalancerQuotas;

/** The controller flag that sets each quota the planner counts (none for certificates). */
export const quotaFlags = {
  rulesPerLoadBalancer: '--quota-rules-per-load-balancer',
  targetGroupsPerLoadBalancer: '--quota-target-groups-per-load-balancer',
} as const satisfies Partial<Record<keyof LoadBalancerQuotas, string>>;
