/**
 * The planner's notion of "the same". A desired field left `undefined` is "don't care":
 * it matches whatever AWS has, including the defaults AWS fills in (a forward's `Weight`,
 * an action's `Order`, stickiness off). Attributes and tags compare only the keys we set,
 * so keys set by someone else are never fought over.
 */
import type { Action, Attributes, RuleCondition, Tags, TargetGroupTuple } from '../model/index.ts';

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when every field defined in `desired` has the same value in `actual`. */
export function covers(desired: unknown, actual: unknown): boolean {
  if (desired === undefined) return true;
  if (Array.isArray(desired)) {
    if (!Array.isArray(actual) || actual.length !== desired.length) return false;
    return desired.every((item: unknown, index) => covers(item, actual[index]));
  }
  if (isRecord(desired)) {
    if (!isRecord(actual)) return false;
    return Object.entries(desired).every(([key, value]) => covers(value, actual[key]));
  }
  return desired === actual;
}

/** The keys of `desired` whose value differs in `actual`, sorted. */
export function differingKeys(
  desired: Attributes | Tags,
  actual: Attributes | Tags,
): readonly string[] {
  return Object.keys(desired)
    .filter((key) => desired[key] !== actual[key])
    .sort();
}

/**
 * Conditions as a multiset: AWS does not promise to return them in the order they were
 * given, and the order does not change what a rule matches.
 */
export function conditionsMatch(
  desired: readonly RuleCondition[],
  actual: readonly RuleCondition[],
): boolean {
  if (desired.length !== actual.length) return false;
  const unused = [...actual];
  for (const condition of desired) {
    const index = unused.findIndex((candidate) => covers(condition, candidate));
    if (index < 0) return false;
    unused.splice(index, 1);
  }
  return true;
}

/** Actions in the order ALB performs them: by `Order`, else as listed. */
function ordered(actions: readonly Action[]): readonly Action[] {
  return actions
    .map((action, index) => ({ action, rank: action.Order ?? index + 1 }))
    .sort((a, b) => a.rank - b.rank)
    .map(({ action }) => action);
}

/**
 * Without `Order`, and with an OIDC client secret reduced to its digest: where the value
 * is read from (Secret and key) is not something AWS holds, so a rename of the Secret
 * with the same value is no change of the rule.
 */
function withoutOrder(action: Action): unknown {
  const rest = Object.fromEntries(Object.entries(action).filter(([key]) => key !== 'Order'));
  const oidc = action.AuthenticateOidcConfig;
  if (oidc?.ClientSecretRef === undefined) return rest;
  return {
    ...rest,
    AuthenticateOidcConfig: { ...oidc, ClientSecretRef: { Digest: oidc.ClientSecretRef.Digest } },
  };
}

/**
 * The name part of a target group ARN
 * (`arn:<partition>:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>`);
 * `undefined` for anything else.
 */
export function targetGroupNameOfArn(arn: string): string | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn' || parts[2] !== 'elasticloadbalancing') {
    return undefined;
  }
  const [type, name, id, ...more] = parts.slice(5).join(':').split('/');
  if (type !== 'targetgroup' || name === undefined || name === '' || id === undefined) {
    return undefined;
  }
  return more.length === 0 && id !== '' ? name : undefined;
}

/**
 * Discovery reports a foreign target group only by ARN, while a forward from an
 * `actions.*` annotation may name it by `TargetGroupName`: the actual tuple also carries
 * the name its ARN holds, so the two compare equal instead of rewriting the rule on
 * every reconcile.
 */
function withArnName(tuple: TargetGroupTuple): TargetGroupTuple {
  if (tuple.TargetGroupName !== undefined || tuple.TargetGroupArn === undefined) return tuple;
  const name = targetGroupNameOfArn(tuple.TargetGroupArn);
  return name === undefined ? tuple : { ...tuple, TargetGroupName: name };
}

function withArnNames(action: Action): Action {
  const forward = action.ForwardConfig;
  if (forward === undefined) return action;
  return {
    ...action,
    ForwardConfig: { ...forward, TargetGroups: forward.TargetGroups.map(withArnName) },
  };
}

/** Same actions performed in the same order; `Order` numbers themselves do not matter. */
export function actionsMatch(desired: readonly Action[], actual: readonly Action[]): boolean {
  return covers(
    ordered(desired).map(withoutOrder),
    ordered(actual).map(withArnNames).map(withoutOrder),
  );
}
