/**
 * Combinations of load-balancer settings that AWS refuses, found before any call:
 *
 * - `dualstack-without-public-ipv4` only exists for internet-facing ALBs (an internal one
 *   has no public address to leave out). The ALB keeps `dualstack`, which for an internal
 *   ALB means the same thing, so nothing already serving changes family.
 * - `customer-owned-ipv4-pool` (Outposts) only applies to internal ALBs.
 */
import { albAnnotation } from '../annotations/index.ts';
import type { IpAddressType, Problem, Scheme } from '../model/index.ts';
import type { MemberDraft } from './drafts.ts';
import { problem } from './problems.ts';

/**
 * `inbound-cidrs` and `security-group-prefix-lists` shape the managed frontend group,
 * which `security-groups` turns off: the reference ignores them silently; we say so.
 */
export function unusedSourceWarnings(
  drafts: readonly MemberDraft[],
  listedGroups: boolean,
): readonly Problem[] {
  if (!listedGroups) return [];
  const out: Problem[] = [];
  for (const d of drafts) {
    const given: readonly [string, readonly string[] | undefined][] = [
      ['inbound-cidrs', d.annotations.inboundCidrs?.map((c) => c.cidr)],
      ['security-group-prefix-lists', d.annotations.prefixLists],
    ];
    for (const [short, values] of given) {
      if (values === undefined) continue;
      out.push(
        problem(
          d.key,
          albAnnotation(short),
          values.join(','),
          'is ignored: security-groups is given, so there is no managed frontend security group to open; allow these sources in your own groups',
          'warning',
        ),
      );
    }
  }
  return out;
}

/**
 * An `ipv6` target group (an IPv6 Service, see serviceIpFamily) can only be forwarded to
 * by a dualstack ALB (`dualstack` or `dualstack-without-public-ipv4`): on an `ipv4` ALB
 * AWS refuses the rule, so the member is frozen, with the Service named.
 */
export function ipv6TargetGroupProblems(
  drafts: readonly MemberDraft[],
  ipAddressType: IpAddressType,
): readonly Problem[] {
  if (ipAddressType !== 'ipv4') return [];
  const out: Problem[] = [];
  for (const d of drafts) {
    const services = new Set(
      d.targetGroups
        .filter((tg) => tg.ipAddressType === 'ipv6')
        // `namespace/name:port` → the Service
        .map((tg) => tg.service.slice(0, tg.service.lastIndexOf(':'))),
    );
    for (const service of services) {
      out.push(
        problem(
          d.key,
          albAnnotation('ip-address-type'),
          ipAddressType,
          `Service ${service} is IPv6, so its target group is ipv6, which only a dualstack ALB forwards to: set ip-address-type to dualstack (or dualstack-without-public-ipv4), or make the Service IPv4`,
        ),
      );
    }
  }
  return out;
}

export function lbAddressingProblems(
  drafts: readonly MemberDraft[],
  scheme: Scheme,
  ipAddressType: IpAddressType,
  coipPool: { readonly value: string; readonly owner: string } | undefined,
): {
  readonly ipAddressType: IpAddressType;
  /** The pool when it can be used, else `undefined` (never create an ALB AWS refuses). */
  readonly customerOwnedIpv4Pool: string | undefined;
  readonly problems: readonly Problem[];
} {
  const problems: Problem[] = [];
  const schemeOwners = drafts.filter((d) => d.annotations.scheme === scheme).map((d) => d.key);
  const schemeText =
    schemeOwners.length === 0 ? 'the default scheme' : `scheme set by ${schemeOwners.join(', ')}`;
  let effective = ipAddressType;
  if (scheme === 'internal' && ipAddressType === 'dualstack-without-public-ipv4') {
    effective = 'dualstack';
    for (const d of drafts) {
      if (d.annotations.ipAddressType === 'dualstack-without-public-ipv4') {
        problems.push(
          problem(
            d.key,
            albAnnotation('ip-address-type'),
            'dualstack-without-public-ipv4',
            `is for internet-facing ALBs only and this ALB is internal (${schemeText}); allowed for internal: 'ipv4', 'dualstack'`,
          ),
        );
      }
    }
    for (const key of schemeOwners) {
      problems.push(
        problem(
          key,
          albAnnotation('scheme'),
          scheme,
          'an internal ALB cannot use ip-address-type dualstack-without-public-ipv4, which another annotation of the group sets',
          'warning',
        ),
      );
    }
  }
  let pool = coipPool?.value;
  if (coipPool !== undefined && scheme !== 'internal') {
    pool = undefined;
    problems.push(
      problem(
        coipPool.owner,
        albAnnotation('customer-owned-ipv4-pool'),
        coipPool.value,
        `is for internal ALBs only and this ALB is ${scheme} (${schemeText}); remove it or set scheme internal`,
      ),
    );
  }
  return { ipAddressType: effective, customerOwnedIpv4Pool: pool, problems };
}
