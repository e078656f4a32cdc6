/**
 * Stack ids: what the `albatross.dev/resource` tag carries, so they are external
 * contract. They use only characters AWS allows in tag values (letters, digits, spaces
 * and `+ - = . _ : / @`).
 */
import { shortHash } from './names.ts';

export const LOAD_BALANCER_ID = 'LoadBalancer';
export const FRONTEND_SECURITY_GROUP_ID = 'sg/frontend';

export function listenerId(port: number): string {
  return `listener/${port}`;
}

/** `tg/<member namespace>/<member name>/<service>:<port>` — stable from (member, Service, port). */
export function targetGroupId(member: string, serviceName: string, port: string | number): string {
  return `tg/${member}/${serviceName}:${port}`;
}

/**
 * `rule/<port>/<member>/<hash>`: the hash covers what the rule matches in the member's
 * manifest (host, path type, path, and the how-many-th such entry), not its position or
 * priority, so a reorder keeps every id and only priorities change.
 */
export function ruleId(
  port: number,
  member: string,
  match: {
    readonly host: string;
    readonly pathType: string;
    readonly path: string;
    readonly occurrence: number;
  },
): string {
  const hash = shortHash([match.host, match.pathType, match.path, String(match.occurrence)]);
  return `rule/${port}/${member}/${hash}`;
}

/** `backend/<target group id>/<from>-<to>[/<sg>]` */
export function backendRuleId(
  tgId: string,
  fromPort: number,
  toPort: number,
  securityGroupId: string | null,
): string {
  const base = `backend/${tgId}/${fromPort}-${toPort}`;
  return securityGroupId === null ? base : `${base}/${securityGroupId}`;
}

/**
 * `backend-rule/<sg>/<from>-<to>`: a cluster-level backend rule. It carries the cluster
 * and resource tags but no stack tag: it belongs to every stack that needs it.
 */
export function clusterBackendRuleId(
  securityGroupId: string,
  fromPort: number,
  toPort: number,
): string {
  return `backend-rule/${securityGroupId}/${String(fromPort)}-${String(toPort)}`;
}

/** The `albatross.dev/resource` prefix of every cluster-level backend rule. */
export const CLUSTER_BACKEND_RULE_PREFIX = 'backend-rule/';
