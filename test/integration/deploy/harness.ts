/** One reconcile as the controller runs it: discover, plan, apply — and what it cost. */
import { DescribeTargetGroupsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { createAwsClients } from '../../../pkg/aws/index.ts';
import type { AwsClients } from '../../../pkg/aws/index.ts';
import { applyPlan, discoverStack } from '../../../pkg/deploy/index.ts';
import type { ApplyResult, DeployContext } from '../../../pkg/deploy/index.ts';
import type { ActualStack, Stack } from '../../../pkg/model/index.ts';
import { planChanges } from '../../../pkg/plan/index.ts';
import type { Plan } from '../../../pkg/plan/index.ts';
import { after, beforeEach } from 'node:test';
import { testCredentials } from '../../env/aws-clients.ts';
import { useTestEnv, type TestEnv } from '../../env/testenv.ts';
import type { StackWorld } from './builders.ts';

export function deployContext(env: TestEnv): DeployContext & { readonly clients: AwsClients } {
  return {
    clusterName: env.clusterName,
    vpcId: env.world.vpcId,
    clients: createAwsClients({
      region: env.state.region,
      endpoint: env.state.awsEndpoint,
      credentials: testCredentials,
    }),
  };
}

type CountedContext = DeployContext & { readonly clients: AwsClients };

/**
 * For a deploy suite (call in a `describe` body): before each test a reset emulator, a
 * fresh deploy context and the world of the stack `shop/web`; every context's clients are
 * released when the suite ends. `track` hands over the release of a context made by a test.
 */
export function useDeployWorld(): {
  readonly env: TestEnv;
  readonly ctx: CountedContext;
  readonly w: StackWorld;
  track(ctx: CountedContext): void;
} {
  const testEnv = useTestEnv();
  const contexts: CountedContext[] = [];
  let current: { env: TestEnv; ctx: CountedContext; w: StackWorld } | undefined;
  beforeEach(async () => {
    const env = testEnv.env;
    await env.resetAws();
    const ctx = deployContext(env);
    contexts.push(ctx);
    current = { env, ctx, w: { cluster: env.clusterName, stackId: 'shop/web', world: env.world } };
  });
  after(() => {
    for (const c of contexts) c.clients.destroy();
  });
  const now = () => {
    if (current === undefined) throw new Error('useDeployWorld: used outside a test');
    return current;
  };
  return {
    get env() {
      return now().env;
    },
    get ctx() {
      return now().ctx;
    },
    get w() {
      return now().w;
    },
    track(ctx) {
      contexts.push(ctx);
    },
  };
}

export interface Round {
  readonly actual: ActualStack | null;
  readonly plan: Plan;
  readonly result: ApplyResult;
  /** Calls by `operation` made by this round (discovery and apply). */
  readonly calls: Readonly<Record<string, number>>;
  readonly mutating: number;
}

function callsByOperation(ctx: DeployContext): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of ctx.clients.calls.snapshot()) {
    out[c.operation] = (out[c.operation] ?? 0) + c.count;
  }
  return out;
}

/** Discovers, plans and applies `desired`, counting the calls of this round only. */
export async function reconcile(ctx: DeployContext, desired: Stack): Promise<Round> {
  ctx.clients.calls.reset();
  const actual = await discoverStack(ctx, desired.id);
  const plan = planChanges(desired, actual);
  const result = await applyPlan(ctx, plan, { desired, actual });
  return {
    actual,
    plan,
    result,
    calls: callsByOperation(ctx),
    mutating: ctx.clients.calls.mutatingCalls(),
  };
}

/** The mutating operations of a round, sorted: what a reviewer checks was minimal. */
export function writes(round: Round): Record<string, number> {
  return Object.fromEntries(
    Object.entries(round.calls)
      .filter(([op]) => !/^(Describe|Get|List)/.test(op))
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

export async function targetGroupNames(ctx: DeployContext): Promise<string[]> {
  const found = await ctx.clients.elbv2.send(new DescribeTargetGroupsCommand({}));
  return (found.TargetGroups ?? []).map((tg) => tg.TargetGroupName ?? '').sort();
}
