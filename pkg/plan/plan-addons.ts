/**
 * Add-on steps: make the load balancer's WAFv2 web ACL, classic WAF Regional web ACL and
 * Shield Advanced protection what the desired stack says, and leave alone what it does
 * not mention. Planned after every create and update (the load balancer exists by then)
 * and before the deletes; nothing when the load balancer goes (its associations go with
 * it).
 *
 * The comparison is with what discovery read (ActualStack.addons). A load balancer that
 * this plan creates or replaces has none. A field that was not read (absent) is planned
 * as if nothing were associated: associating is idempotent, so at worst one call too
 * many, never a missed one.
 */
import type { ActualAddons, ActualStack, Stack, Wafv2Acl } from '../model/index.ts';
import type { AddonStep } from './plan-types.ts';

/** The name in a WAFv2 web ACL ARN: `arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>`. */
export function webAclNameOfArn(arn: string): string | undefined {
  return /:(?:regional|global)\/webacl\/([^/]+)\/[^/]+$/.exec(arn)?.[1];
}

function showAcl(acl: Wafv2Acl): string {
  return acl.kind === 'arn' ? acl.arn : acl.kind === 'name' ? `named ${acl.name}` : 'none';
}

function wafv2Matches(want: Wafv2Acl, have: string | null): boolean {
  if (want.kind === 'none') return have === null;
  if (have === null) return false;
  return want.kind === 'arn' ? want.arn === have : webAclNameOfArn(have) === want.name;
}

export function planAddons(
  desired: Stack,
  found: ActualStack,
  loadBalancerIsNew: boolean,
): AddonStep[] {
  const want = desired.addons;
  if (want === undefined || desired.loadBalancer === null) return [];
  const lbId = desired.loadBalancer.id;
  const have: ActualAddons = loadBalancerIsNew
    ? { wafv2: null, wafRegional: null, shieldProtectionId: null }
    : (found.addons ?? {});
  const arn = loadBalancerIsNew ? null : (found.loadBalancer?.arn ?? null);
  const steps: AddonStep[] = [];

  if (want.wafv2 !== undefined) {
    const current = have.wafv2 ?? null;
    const known = have.wafv2 !== undefined;
    if (!(known && wafv2Matches(want.wafv2, current))) {
      if (want.wafv2.kind === 'none') {
        if (current !== null || !known) {
          steps.push({
            op: 'delete',
            kind: 'WebAclAssociation',
            id: lbId,
            step: 'disassociate',
            reason: `web ACL ${current ?? '(unknown)'} → none`,
            loadBalancerArn: arn,
          });
        }
      } else {
        steps.push({
          op: current === null ? 'create' : 'update',
          kind: 'WebAclAssociation',
          id: lbId,
          step: 'associate',
          reason:
            current === null
              ? `web ACL ${showAcl(want.wafv2)}`
              : `web ACL ${current} → ${showAcl(want.wafv2)}`,
          loadBalancerArn: arn,
          acl: want.wafv2,
        });
      }
    }
  }

  if (want.wafRegional !== undefined) {
    const current = have.wafRegional ?? null;
    const known = have.wafRegional !== undefined;
    if (!(known && current === want.wafRegional)) {
      if (want.wafRegional === null) {
        if (current !== null || !known) {
          steps.push({
            op: 'delete',
            kind: 'WafRegionalAssociation',
            id: lbId,
            step: 'disassociate',
            reason: `WAF Regional web ACL ${current ?? '(unknown)'} → none`,
            loadBalancerArn: arn,
          });
        }
      } else {
        steps.push({
          op: current === null ? 'create' : 'update',
          kind: 'WafRegionalAssociation',
          id: lbId,
          step: 'associate',
          reason:
            current === null
              ? `WAF Regional web ACL ${want.wafRegional}`
              : `WAF Regional web ACL ${current} → ${want.wafRegional}`,
          loadBalancerArn: arn,
          webAclId: want.wafRegional,
        });
      }
    }
  }

  if (want.shieldAdvanced !== undefined) {
    const current = have.shieldProtectionId;
    if (want.shieldAdvanced && (current === undefined || current === null)) {
      steps.push({
        op: 'create',
        kind: 'ShieldProtection',
        id: lbId,
        step: 'protect',
        reason: 'Shield Advanced protection on',
        loadBalancerArn: arn,
      });
    } else if (!want.shieldAdvanced && typeof current === 'string') {
      steps.push({
        op: 'delete',
        kind: 'ShieldProtection',
        id: lbId,
        step: 'unprotect',
        reason: 'Shield Advanced protection off',
        loadBalancerArn: arn,
        protectionId: current,
      });
    }
  }
  return steps;
}
