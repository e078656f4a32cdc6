/**
 * Ids of what a TargetGroupBinding owns in AWS. A binding's target group is not ours (it
 * is never tagged, modified or deleted); what we add for it are the `networking` rules
 * on its targets' security groups. Each carries `albatross.dev/cluster` and
 * `albatross.dev/resource` = `tgb-rule/<namespace>/<name>`, and no stack tag (a binding
 * is no IngressGroup: stack discovery and garbage collection must never see it). The
 * binding's rules are found by that tag and revoked exactly, nothing else.
 */
export const BINDING_RULE_PREFIX = 'tgb-rule/';

export function bindingRuleId(namespace: string, name: string): string {
  return `${BINDING_RULE_PREFIX}${namespace}/${name}`;
}
