/**
 * The cheap check of a stack discovered earlier: does AWS still hold it as we last saw
 * it? Reads: one tagging call (the stack's load balancer and target groups, with their
 * tags) and one DescribeRules per listener, so 1 + L calls, 2 for the usual group with
 * one listener and 3 with HTTP and HTTPS.
 *
 * The tagging index may lag (lagging-index.ts): an ARN it leaves out or adds is checked
 * with ELBv2 describes by ARN before it counts as drift, so a just-created ALB is not
 * "gone" and a just-deleted target group is not "new".
 *
 * What it sees: the load balancer or a target group deleted, replaced or re-tagged; one
 * of our own resources tagged into the stack by someone else, a second load balancer or
 * target group of the stack included (a duplicate); a listener deleted (its rules cannot
 * be described); one of our rules deleted, re-prioritised, or its conditions, actions or
 * transforms edited; a rule it does not know with the very conditions of one of ours on
 * the same listener (a rule created twice: full discovery tells by its tags whether it
 * is ours). Other rules on our listeners that are not ours are ignored, as full
 * discovery ignores them.
 *
 * What it does not see (full discovery, see discovery-cache.ts, repairs those): edits of
 * attributes, listener settings, certificates, security groups and their rules, a
 * second listener on one of our ports or a second security group (DescribeListeners and
 * DescribeSecurityGroups are not read here), and targets deregistered by hand.
 */
import { isDeepStrictEqual } from 'node:util';
import { AwsError } from '../aws/index.ts';
import type { ActualStack, Tags } from '../model/index.ts';
import type { DeployContext } from './context.ts';
import { describeRules } from './discover.ts';
import { existingArns, taggedResources } from './lagging-index.ts';
import { withoutSecretRefs } from './auth-secrets.ts';
import { fromSdkActions, fromSdkConditions, fromSdkTransforms } from './from-sdk.ts';
import { TAG_CLUSTER, TAG_STACK } from '../naming/index.ts';
import { covers } from '../plan/index.ts';

/** Why the stack no longer matches (for the log), or `null` when it still does. */
export type Drift = string | null;

function sameTags(a: Tags, b: Tags): boolean {
  return isDeepStrictEqual({ ...a }, { ...b });
}

/**
 * Checks `known` (what discovery returned for the stack) against AWS with a handful of
 * reads. Never writes. Other failures than a vanished listener are thrown.
 */
export async function verifyStack(ctx: DeployContext, known: ActualStack): Promise<Drift> {
  const tagged = await taggedResources(ctx, [
    { Key: TAG_CLUSTER, Values: [ctx.clusterName] },
    { Key: TAG_STACK, Values: [known.id] },
  ]);
  const expected = new Map<string, Tags>();
  if (known.loadBalancer !== null) expected.set(known.loadBalancer.arn, known.loadBalancer.tags);
  for (const tg of known.targetGroups) expected.set(tg.arn, tg.tags);
  const unlisted: string[] = [];
  for (const [arn, tags] of expected) {
    const now = tagged.get(arn);
    if (now === undefined) unlisted.push(arn);
    else if (!sameTags(now, tags)) return `the tags of ${arn} changed`;
  }
  const added = [...tagged.keys()].filter((arn) => !expected.has(arn));
  if (unlisted.length > 0 || added.length > 0) {
    // The index lags behind ELBv2 (a resource just created is not listed yet, one just
    // deleted still is): ELBv2 says what exists. Never spent while the index agrees.
    const exists = await existingArns(ctx, [...unlisted, ...added]);
    const gone = unlisted.find((arn) => !exists.has(arn));
    if (gone !== undefined) return `${gone} is gone`;
    const fresh = added.find((arn) => exists.has(arn));
    if (fresh !== undefined) return `${fresh} is new in the stack`;
  }

  const idOfTargetGroup = new Map(known.targetGroups.map((tg) => [tg.arn, tg.id]));
  const byListener = await Promise.all(
    known.listeners.map(async (listener) => {
      try {
        return { listener, rules: await describeRules(ctx, listener.arn) };
      } catch (err) {
        if (err instanceof AwsError && err.code === 'ListenerNotFound') {
          return { listener, rules: null };
        }
        throw err;
      }
    }),
  );
  for (const { listener, rules } of byListener) {
    if (rules === null) return `listener ${listener.id} is gone`;
    const byArn = new Map(rules.map((r) => [r.RuleArn ?? '', r]));
    for (const rule of known.rules.filter((r) => r.listenerId === listener.id)) {
      const now = byArn.get(rule.arn);
      if (now === undefined) return `rule ${rule.id} is gone`;
      const seen = {
        priority: Number(now.Priority),
        conditions: fromSdkConditions(now.Conditions),
        actions: fromSdkActions(now.Actions, (arn) => idOfTargetGroup.get(arn)),
        transforms: fromSdkTransforms(now.Transforms),
      };
      const was = {
        priority: rule.priority,
        conditions: rule.conditions,
        actions: withoutSecretRefs(rule.actions),
        transforms: rule.transforms,
      };
      // As the planner compares: a field the kept rule leaves out is AWS's default to fill
      // in (a stack kept after an apply is the desired one: no Weight, no stickiness).
      if (!covers(was, seen)) return `rule ${rule.id} was edited`;
    }
    const twin = rules.find((r) => {
      if (known.rules.some((k) => k.arn === r.RuleArn)) return false;
      const conditions = fromSdkConditions(r.Conditions);
      return known.rules.some(
        (k) => k.listenerId === listener.id && covers(k.conditions, conditions),
      );
    });
    if (twin !== undefined) return `rule ${twin.RuleArn ?? ''} has the conditions of one of ours`;
  }
  return null;
}
