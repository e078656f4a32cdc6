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
 *
 * The same check serves a restarted controller (restore-stack.ts): there the stack is
 * rebuilt from the desired one and the `albatross.dev/applied` tag, its rules' ARNs
 * unknown, and each rule is found by priority on its listener instead of by ARN, then
 * compared as here. That bookkeeping tag is never compared: it is not a wish.
 */
import { isDeepStrictEqual } from 'node:util';
import { AwsError } from '../aws/index.ts';
import type { ActualListenerRule, ActualStack, Tags } from '../model/index.ts';
import type { DeployContext } from './context.ts';
import { describeRules } from './discover.ts';
import { existingArns, taggedResources } from './lagging-index.ts';
import { withoutSecretRefs } from './auth-secrets.ts';
import { fromSdkActions, fromSdkConditions, fromSdkTransforms } from './from-sdk.ts';
import { TAG_APPLIED, TAG_CLUSTER, TAG_STACK } from '../naming/index.ts';
import { covers } from '../plan/index.ts';

/** Why the stack no longer matches (for the log), or `null` when it still does. */
export type Drift = string | null;

/** Equal, but for the bookkeeping tag (written after an apply, read by a restart). */
function sameTags(a: Tags, b: Tags): boolean {
  const without = (tags: Tags) =>
    Object.fromEntries(Object.entries(tags).filter(([key]) => key !== TAG_APPLIED));
  return isDeepStrictEqual(without(a), without(b));
}

/** ARN → tags of the stack's load balancers and target groups: the check's one tagging call. */
export function stackIndex(ctx: DeployContext, stackId: string): Promise<Map<string, Tags>> {
  return taggedResources(ctx, [
    { Key: TAG_CLUSTER, Values: [ctx.clusterName] },
    { Key: TAG_STACK, Values: [stackId] },
  ]);
}

/** What checkStack concluded: drift, or the stack as AWS holds it (every rule ARN known). */
export type Checked = { readonly drift: string } | { readonly stack: ActualStack };

/**
 * Verifies `known` against `tagged` (stackIndex) and each listener's DescribeRules. A rule
 * of `known` with an ARN is looked up by ARN; one without (a stack rebuilt after a
 * restart) by its priority on its listener, and takes that rule's ARN. Never writes.
 */
export async function checkStack(
  ctx: DeployContext,
  known: ActualStack,
  tagged: ReadonlyMap<string, Tags>,
): Promise<Checked> {
  const expected = new Map<string, Tags>();
  if (known.loadBalancer !== null) expected.set(known.loadBalancer.arn, known.loadBalancer.tags);
  for (const tg of known.targetGroups) expected.set(tg.arn, tg.tags);
  const unlisted: string[] = [];
  for (const [arn, tags] of expected) {
    const now = tagged.get(arn);
    if (now === undefined) unlisted.push(arn);
    else if (!sameTags(now, tags)) return { drift: `the tags of ${arn} changed` };
  }
  const added = [...tagged.keys()].filter((arn) => !expected.has(arn));
  if (unlisted.length > 0 || added.length > 0) {
    // The index lags behind ELBv2 (a resource just created is not listed yet, one just
    // deleted still is): ELBv2 says what exists. Never spent while the index agrees.
    const exists = await existingArns(ctx, [...unlisted, ...added]);
    const gone = unlisted.find((arn) => !exists.has(arn));
    if (gone !== undefined) return { drift: `${gone} is gone` };
    const fresh = added.find((arn) => exists.has(arn));
    if (fresh !== undefined) return { drift: `${fresh} is new in the stack` };
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
  const found = new Map<ActualListenerRule, string>();
  for (const { listener, rules } of byListener) {
    if (rules === null) return { drift: `listener ${listener.id} is gone` };
    const byArn = new Map(rules.map((r) => [r.RuleArn ?? '', r]));
    const byPriority = new Map(rules.map((r) => [Number(r.Priority), r]));
    const matched = new Set<string>();
    const ours = known.rules.filter((r) => r.listenerId === listener.id);
    for (const rule of ours) {
      const now = rule.arn === '' ? byPriority.get(rule.priority) : byArn.get(rule.arn);
      if (now?.RuleArn === undefined) return { drift: `rule ${rule.id} is gone` };
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
      if (!covers(was, seen)) return { drift: `rule ${rule.id} was edited` };
      matched.add(now.RuleArn);
      found.set(rule, now.RuleArn);
    }
    const twin = rules.find((r) => {
      if (matched.has(r.RuleArn ?? '')) return false;
      const conditions = fromSdkConditions(r.Conditions);
      return ours.some((k) => covers(k.conditions, conditions));
    });
    if (twin !== undefined) {
      return { drift: `rule ${twin.RuleArn ?? ''} has the conditions of one of ours` };
    }
  }
  const rules = known.rules.map((r) => (r.arn === '' ? { ...r, arn: found.get(r) ?? '' } : r));
  return { stack: { ...known, rules } };
}

/**
 * Checks `known` (what discovery returned for the stack) against AWS with a handful of
 * reads. Never writes. Other failures than a vanished listener are thrown.
 */
export async function verifyStack(ctx: DeployContext, known: ActualStack): Promise<Drift> {
  const checked = await checkStack(ctx, known, await stackIndex(ctx, known.id));
  return 'drift' in checked ? checked.drift : null;
}
