/**
 * The load balancer's add-ons (WAFv2, classic WAF Regional, Shield Advanced) from the
 * members' annotations. Each is exclusive across the group, as the other load-balancer
 * settings: the first member in order that sets it decides; a later member setting
 * another value gets an error problem naming the first (and is frozen). A valid value
 * of a frozen member still counts, as for every group-level setting (see build-stack.ts).
 * An add-on kind switched off by its flag is left out: left alone, no AWS call.
 */
import { albAnnotation } from '../annotations/index.ts';
import type { LoadBalancerAddons, Problem, Wafv2Acl } from '../model/index.ts';
import type { MemberDraft } from './drafts.ts';
import type { AddonSwitches } from './env.ts';
import { problem } from './problems.ts';

const ALL_ON: AddonSwitches = { wafv2: true, waf: true, shield: true };

function showWafv2(v: Wafv2Acl): string {
  return v.kind === 'arn' ? v.arn : v.kind === 'name' ? v.name : 'none';
}

function exclusiveAddon<T>(
  drafts: readonly MemberDraft[],
  field: (v: T) => string,
  get: (d: MemberDraft) => T | undefined,
  show: (v: T) => string,
  problems: Problem[],
): T | undefined {
  let first: { value: T; owner: string } | undefined;
  for (const d of drafts) {
    const v = get(d);
    if (v === undefined) continue;
    if (first === undefined) first = { value: v, owner: d.key };
    else if (show(v) !== show(first.value)) {
      problems.push(
        problem(
          d.key,
          albAnnotation(field(v)),
          show(v),
          `conflicts with ${first.owner}, which sets '${show(first.value)}'; in a group an add-on must be set on one member only or to the same value on all`,
        ),
      );
    }
  }
  return first?.value;
}

export function groupAddons(
  drafts: readonly MemberDraft[],
  switches: AddonSwitches = ALL_ON,
): { readonly addons: LoadBalancerAddons | undefined; readonly problems: readonly Problem[] } {
  const problems: Problem[] = [];
  const wafv2 = switches.wafv2
    ? exclusiveAddon(
        drafts,
        (v: Wafv2Acl) => (v.kind === 'name' ? 'wafv2-acl-name' : 'wafv2-acl-arn'),
        (d) => d.annotations.addons.wafv2,
        showWafv2,
        problems,
      )
    : undefined;
  const wafRegional = switches.waf
    ? exclusiveAddon(
        drafts,
        () => 'waf-acl-id',
        (d) => d.annotations.addons.wafRegional,
        (v) => v ?? 'none',
        problems,
      )
    : undefined;
  const shieldAdvanced = switches.shield
    ? exclusiveAddon(
        drafts,
        () => 'shield-advanced-protection',
        (d) => d.annotations.addons.shieldAdvanced,
        String,
        problems,
      )
    : undefined;
  const addons: LoadBalancerAddons = {
    ...(wafv2 !== undefined ? { wafv2 } : {}),
    ...(wafRegional !== undefined ? { wafRegional } : {}),
    ...(shieldAdvanced !== undefined ? { shieldAdvanced } : {}),
  };
  return { addons: Object.keys(addons).length === 0 ? undefined : addons, problems };
}
