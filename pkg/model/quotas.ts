/**
 * The ALB quotas Albatross plans within (AWS's defaults; a raised quota is not read):
 * translate freezes the member that would take a group past one, and the plan orders
 * its steps so that no state on the way passes one either.
 *
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html
 */
export const AlbQuotas = {
  /** Listener rules per load balancer, default rules not counted. */
  rulesPerLoadBalancer: 100,
  /** Target groups a load balancer's listeners and rules forward to. */
  targetGroupsPerLoadBalancer: 100,
  /** SNI certificates per listener, the default certificate not counted. */
  sniCertificatesPerListener: 25,
} as const;
