/**
 * Who holds a listener priority, read when CreateRule or SetRulePriorities answers
 * PriorityInUse. The plan only ever asks for a priority it saw free, so the holder is one
 * of three (docs/decisions/0013-writes-that-meet-their-own-effect.md):
 *
 * - our own write, whose answer was lost: the SDK retried it and met its own effect —
 *   the rule is ours (cluster, stack and resource tags) and is what we asked for;
 * - a rule of this stack the plan did not expect there: our view is stale, plan again;
 * - a rule we do not own: no wait frees the priority, so say which rule holds it.
 *
 * Waiting and retrying, as this was handled before, helps none of the three.
 */
import { AwsError } from '../aws/index.ts';
import type { ActualListenerRule, Tags } from '../model/index.ts';
import { TAG_CLUSTER, TAG_RESOURCE, TAG_STACK } from '../naming/index.ts';
import { DeployError } from './context.ts';
import type { DeployContext } from './context.ts';
import { describeRules, toActualRule } from './discover.ts';
import { describeTags } from './lagging-index.ts';
import { ownedBy } from './ownership.ts';

export interface PriorityHolder {
  readonly rule: ActualListenerRule;
  readonly tags: Tags;
}

/** The rule at `priority` on the listener, as the planner would see it, or `null`. */
export async function priorityHolder(
  ctx: DeployContext,
  listener: { readonly id: string; readonly arn: string },
  priority: number,
  idOfTargetGroup: (arn: string) => string | undefined,
): Promise<PriorityHolder | null> {
  const rules = await describeRules(ctx, listener.arn);
  const found = rules.find((r) => Number(r.Priority) === priority && r.RuleArn !== undefined);
  if (found?.RuleArn === undefined) return null;
  const tags = (await describeTags(ctx, [found.RuleArn])).get(found.RuleArn) ?? {};
  return {
    rule: toActualRule(found, found.RuleArn, listener.id, tags, idOfTargetGroup),
    tags,
  };
}

/** The error for a priority held by something other than the write we meant. */
export function priorityConflict(
  ctx: DeployContext,
  operation: string,
  where: { readonly stackId: string; readonly listenerArn: string; readonly priority: number },
  holder: PriorityHolder | null,
): Error {
  const at = `priority ${where.priority} of listener ${where.listenerArn}`;
  if (holder === null) {
    // Freed between the two calls: whatever moved it, the next plan sees where it went.
    return new AwsError(operation, 'PriorityInUse', `${at} was in use and is free again`, true);
  }
  if (ownedBy(holder.tags, ctx, where.stackId)) {
    return new AwsError(
      operation,
      'PriorityInUse',
      `${at} is held by rule ${holder.tags[TAG_RESOURCE] ?? ''} (${holder.rule.arn}) of this stack, ` +
        `which the plan did not expect there: the next reconcile plans again from what exists`,
      true,
    );
  }
  return new DeployError(
    `${at} is held by rule ${holder.rule.arn}, which does not carry the ownership tags ` +
      `${TAG_CLUSTER}=${ctx.clusterName} and ${TAG_STACK}=${where.stackId}; Albatross never ` +
      `changes a rule it does not own: delete it or move it off the priorities Albatross uses`,
  );
}
