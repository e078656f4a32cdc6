/**
 * Listener rules: created tagged at their priority, changed in place (ModifyRule keeps
 * the rule serving), moved one at a time (SetRulePriorities with one entry: the plan
 * orders the moves so each target priority is free when its step runs).
 */
import {
  CreateRuleCommand,
  DeleteRuleCommand,
  ModifyRuleCommand,
  SetRulePrioritiesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ModifyRuleInput } from '@aws-sdk/client-elastic-load-balancing-v2';
import { awsErrorCode } from '../aws/index.ts';
import type { ListenerRule } from '../model/index.ts';
import { TAG_STACK } from '../naming/index.ts';
import { sameRuleContent } from '../plan/index.ts';
import type { ResourceStep, RulePriorityStep } from '../plan/index.ts';
import { call, callRetrying, sendOptions, unlessGone } from './context.ts';
import type { DeployContext } from './context.ts';
import { addChangedTags } from './fields.ts';
import { ownedBy } from './ownership.ts';
import { priorityConflict, priorityHolder } from './priority-holder.ts';
import { sdkActions } from './resolve.ts';
import type { ApplyState } from './resolve.ts';
import { toSdkConditions, toSdkTags, toSdkTransforms } from './to-sdk.ts';

type RuleStep = Extract<ResourceStep, { kind: 'ListenerRule' }>;

function idOfTargetGroup(state: ApplyState): (arn: string) => string | undefined {
  const ids = new Map([...state.targetGroups].map(([id, arn]) => [arn, id]));
  return (arn) => ids.get(arn);
}

async function create(ctx: DeployContext, state: ApplyState, want: ListenerRule): Promise<void> {
  const listenerArn = state.listener(want.listenerId);
  const actions = await sdkActions(ctx, state, want.actions);
  try {
    const created = await callRetrying(ctx, 'CreateRule', () =>
      ctx.clients.elbv2.send(
        new CreateRuleCommand({
          ListenerArn: listenerArn,
          Priority: want.priority,
          Conditions: toSdkConditions(want.conditions),
          Actions: actions,
          ...(want.transforms.length === 0 ? {} : { Transforms: toSdkTransforms(want.transforms) }),
          Tags: toSdkTags(want.tags),
        }),
        sendOptions(ctx),
      ),
    );
    state.rules.set(want.id, created.Rules?.[0]?.RuleArn ?? '');
  } catch (err) {
    if (awsErrorCode(err) !== 'PriorityInUse') throw err;
    // CreateRule is not idempotent: a retry after a lost answer meets the rule it made.
    const holder = await priorityHolder(
      ctx,
      { id: want.listenerId, arn: listenerArn },
      want.priority,
      idOfTargetGroup(state),
    );
    const stackId = want.tags[TAG_STACK] ?? '';
    const ours =
      holder !== null &&
      ownedBy(holder.tags, ctx, stackId, want.id) &&
      sameRuleContent(want, holder.rule);
    if (!ours) {
      const where = { stackId, listenerArn, priority: want.priority };
      throw priorityConflict(ctx, 'CreateRule', where, holder);
    }
    state.rules.set(want.id, holder.rule.arn);
  }
}

async function remove(ctx: DeployContext, state: ApplyState, id: string, arn: string) {
  await call(ctx, 'DeleteRule', () =>
    unlessGone('RuleNotFound', () =>
      ctx.clients.elbv2.send(new DeleteRuleCommand({ RuleArn: arn }), sendOptions(ctx)),
    ),
  );
  state.rules.delete(id);
}

export async function applyRule(
  ctx: DeployContext,
  state: ApplyState,
  step: RuleStep,
): Promise<void> {
  switch (step.step) {
    case 'create':
      return create(ctx, state, step.desired);
    case 'replace':
      await remove(ctx, state, step.id, step.actual.arn);
      return create(ctx, state, step.desired);
    case 'delete':
    case 'delete-replaced':
      return remove(ctx, state, step.id, step.actual.arn);
    case 'update': {
      const want = step.desired;
      const fields = new Set(step.fields);
      const input: ModifyRuleInput = { RuleArn: step.actual.arn };
      if (fields.has('conditions')) input.Conditions = toSdkConditions(want.conditions);
      if (fields.has('actions')) {
        input.Actions = await sdkActions(ctx, state, want.actions, step.actual.actions);
      }
      if (fields.has('transforms')) {
        if (want.transforms.length === 0) input.ResetTransforms = true;
        else input.Transforms = toSdkTransforms(want.transforms);
      }
      if (Object.keys(input).length > 1) {
        await call(ctx, 'ModifyRule', () =>
          ctx.clients.elbv2.send(new ModifyRuleCommand(input), sendOptions(ctx)),
        );
      }
      await addChangedTags(ctx, step.actual.arn, want.tags, step.fields);
      return;
    }
  }
}

export async function applyRulePriority(
  ctx: DeployContext,
  state: ApplyState,
  step: RulePriorityStep,
): Promise<void> {
  // The step moves the rule it names by ARN: a rule paired with an edit may carry another
  // rule's id, and looking it up by id could move the wrong one.
  const arn = step.actual.arn;
  try {
    await callRetrying(ctx, 'SetRulePriorities', () =>
      ctx.clients.elbv2.send(
        new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: arn, Priority: step.to }] }),
        sendOptions(ctx),
      ),
    );
  } catch (err) {
    if (awsErrorCode(err) !== 'PriorityInUse') throw err;
    // A retry after a lost answer finds the rule already moved (or the emulator refuses a
    // rule's own priority): that is the move done.
    const listenerArn = state.listener(step.actual.listenerId);
    const listener = { id: step.actual.listenerId, arn: listenerArn };
    const holder = await priorityHolder(ctx, listener, step.to, idOfTargetGroup(state));
    if (holder?.rule.arn === arn) return;
    const where = { stackId: step.actual.tags[TAG_STACK] ?? '', listenerArn, priority: step.to };
    throw priorityConflict(ctx, 'SetRulePriorities', where, holder);
  }
}
