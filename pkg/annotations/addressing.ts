/**
 * Parsers of the load-balancer annotations about addresses and capacity:
 * `security-group-prefix-lists`, `customer-owned-ipv4-pool`, `ipam-ipv4-pool-id` and
 * `minimum-load-balancer-capacity`. Only the shape of the IDs is checked here; whether
 * they exist is for AWS to say at apply time.
 */
import { bad, ok } from './parsed.ts';
import type { Parsed, Parser } from './parsed.ts';
import { listOf, parseMap } from './primitives.ts';

export const parsePrefixLists: Parser<readonly string[]> = listOf((s) =>
  /^pl-[0-9a-f]{1,17}$/.test(s)
    ? ok(s)
    : bad("must be a managed prefix list ID such as 'pl-0a1b2c3d'"),
);

export function parseCustomerOwnedIpv4Pool(raw: string): Parsed<string> {
  const v = raw.trim();
  return /^ipv4pool-coip-[0-9a-f]{1,17}$/.test(v)
    ? ok(v)
    : bad("must be a customer-owned IPv4 pool ID such as 'ipv4pool-coip-0123456789abcdef0'");
}

export function parseIpamPoolId(raw: string): Parsed<string> {
  const v = raw.trim();
  return /^ipam-pool-[0-9a-f]{1,17}$/.test(v)
    ? ok(v)
    : bad("must be an IPAM pool ID such as 'ipam-pool-0123456789abcdef0'");
}

/**
 * `CapacityUnits=N`, the only key AWS's MinimumLoadBalancerCapacity has; `0` asks for no
 * reservation (an IngressClassParams `capacityUnits: 0` arrives here the same way).
 */
export function parseMinimumCapacity(raw: string): Parsed<number> {
  const form = "must be the map 'CapacityUnits=N' with N a whole number (0: no reservation)";
  const m = parseMap(raw);
  if (!m.ok) return bad(form);
  const keys = Object.keys(m.value);
  const units = m.value.CapacityUnits;
  if (keys.length !== 1 || units === undefined || !/^(0|[1-9][0-9]{0,8})$/.test(units)) {
    return bad(form);
  }
  return ok(Number(units));
}
