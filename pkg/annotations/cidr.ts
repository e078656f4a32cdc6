/** CIDR validation for `inbound-cidrs` and `source-ip` conditions. */
import { bad, ok } from './parsed.ts';
import type { Parsed } from './parsed.ts';

function isIpv4(s: string): boolean {
  const parts = s.split('.');
  return (
    parts.length === 4 && parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255)
  );
}

function isIpv6(s: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return false;
  const halves = s.split('::');
  if (halves.length > 2) return false;
  const groups = (h: string): string[] | null => {
    if (h === '') return [];
    const g = h.split(':');
    return g.every((x) => /^[0-9a-fA-F]{1,4}$/.test(x)) ? g : null;
  };
  const head = groups(halves[0] ?? '');
  const tail = groups(halves[1] ?? '');
  if (head === null || tail === null) return false;
  const count = head.length + tail.length;
  return halves.length === 2 ? count <= 7 : count === 8;
}

export type IpFamily = 'ipv4' | 'ipv6';

/** `a.b.c.d/n` (n ≤ 32) or an IPv6 prefix `x::/n` (n ≤ 128). */
export function parseCidr(
  raw: string,
): Parsed<{ readonly cidr: string; readonly family: IpFamily }> {
  const slash = raw.indexOf('/');
  const allowed = 'must be a CIDR such as 10.0.0.0/16 or 2600:1f00::/40';
  if (slash < 0) return bad(allowed);
  const addr = raw.slice(0, slash);
  const bits = raw.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(bits)) return bad(allowed);
  const n = Number(bits);
  if (isIpv4(addr) && n <= 32) return ok({ cidr: raw, family: 'ipv4' });
  if (isIpv6(addr) && n <= 128) return ok({ cidr: raw, family: 'ipv6' });
  return bad(allowed);
}
