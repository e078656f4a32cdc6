/** Parsers of the load-balancer annotations (scheme, addressing, subnets, SGs, name, tags). */
import type { IpAddressType, Scheme } from '../model/index.ts';
import { parseCidr } from './cidr.ts';
import type { IpFamily } from './cidr.ts';
import { bad, ok } from './parsed.ts';
import type { Parsed, Parser } from './parsed.ts';
import { listOf, oneOf, parseMap } from './primitives.ts';

export const parseScheme: Parser<Scheme> = oneOf<Scheme>(['internal', 'internet-facing']);

export const parseIpAddressType: Parser<IpAddressType> = oneOf<IpAddressType>([
  'ipv4',
  'dualstack',
  'dualstack-without-public-ipv4',
]);

/** Subnet IDs (`subnet-…`) or Name tags. */
export const parseSubnets: Parser<readonly string[]> = listOf((s) => ok(s));

/** Security group IDs (`sg-…`) or Name tags. */
export const parseSecurityGroups: Parser<readonly string[]> = listOf((s) => ok(s));

export interface Cidr {
  readonly cidr: string;
  readonly family: IpFamily;
}

export const parseInboundCidrs: Parser<readonly Cidr[]> = listOf((s) => {
  const r = parseCidr(s);
  return r.ok ? r : bad(r.message);
});

/**
 * ALB names: 1..32 letters, digits and hyphens, no leading or trailing hyphen, and not
 * starting with `internal-` (AWS reserves it for the DNS names of internal ALBs).
 */
export function parseLoadBalancerName(raw: string): Parsed<string> {
  const rules =
    'must be 1 to 32 letters, digits or hyphens, not start or end with a hyphen, and not start with internal-';
  if (raw.length < 1 || raw.length > 32) return bad(`is ${raw.length} characters; ${rules}`);
  if (!/^[A-Za-z0-9-]+$/.test(raw) || raw.startsWith('-') || raw.endsWith('-')) return bad(rules);
  if (raw.toLowerCase().startsWith('internal-')) return bad(rules);
  return ok(raw);
}

/**
 * AWS tags: keys 1..128 characters, values ≤ 256, not starting with `aws:` (reserved),
 * and never one of our ownership keys (`albatross.dev/…`), which a user cannot override.
 */
export function parseTags(raw: string): Parsed<Readonly<Record<string, string>>> {
  const m = parseMap(raw);
  if (!m.ok) return m;
  for (const [k, v] of Object.entries(m.value)) {
    if (k.length > 128) return bad(`tag key '${k}' is longer than 128 characters`);
    if (v.length > 256) return bad(`tag value of '${k}' is longer than 256 characters`);
    if (k.toLowerCase().startsWith('aws:'))
      return bad(`tag key '${k}': the aws: prefix is reserved by AWS`);
    if (k.startsWith('albatross.dev/')) {
      return bad(`tag key '${k}': albatross.dev/ keys are the ownership tags and cannot be set`);
    }
  }
  return m;
}

/** Attributes map (`load-balancer-attributes`, `target-group-attributes`). */
export function parseAttributes(raw: string): Parsed<Readonly<Record<string, string>>> {
  const m = parseMap(raw);
  if (!m.ok) return m;
  for (const k of Object.keys(m.value)) {
    if (!/^[a-z0-9_.]+$/.test(k)) {
      return bad(
        `attribute key '${k}' must be lower-case letters, digits, '.' and '_' (e.g. idle_timeout.timeout_seconds)`,
      );
    }
  }
  return m;
}

/** Node selector `k1=v1,k2=v2` for instance targets. */
export const parseNodeLabels = parseMap;
