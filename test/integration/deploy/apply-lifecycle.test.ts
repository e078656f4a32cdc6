/**
 * A stack's life in the emulator: created from nothing, then changed the ways users
 * change Ingresses. Each change is applied with the fewest writes that do it, and the
 * round after it finds nothing left to do.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import {
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
} from '@aws-sdk/client-ec2';
import {
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetHealthCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  discoverStack,
  findBackendSecurityGroup,
  reconcileBackendAccess,
  TargetGroupsOfTargets,
} from '../../../pkg/deploy/index.ts';
import type { DeployContext } from '../../../pkg/deploy/index.ts';
import type { Stack } from '../../../pkg/model/index.ts';
import { DEFAULT_NODE_PORT_RANGE, planChanges } from '../../../pkg/plan/index.ts';
import type { TestEnv } from '../../env/testenv.ts';
import { forward, rule, shopStack, targetGroup } from './builders.ts';
import type { StackWorld } from './builders.ts';
import { reconcile, targetGroupNames, useDeployWorld, writes } from './harness.ts';

describe('deploy: one stack through its changes', () => {
  const world = useDeployWorld();
  let env: TestEnv;
  let ctx: DeployContext;
  let w: StackWorld;
  beforeEach(() => {
    ({ env, ctx, w } = world);
  });

  /** Applies `desired` and checks the round after it is a no-op. */
  async function converge(desired: Stack) {
    const round = await reconcile(ctx, desired);
    const again = await reconcile(ctx, desired);
    assert.deepEqual(
      again.plan.map((s) => `${s.op} ${s.kind} ${s.id}`),
      [],
      'second plan is empty',
    );
    assert.equal(again.mutating, 0, 'second round makes no mutating call');
    return round;
  }

  it('GIVEN nothing in AWS WHEN a stack is applied THEN every resource exists, tagged, and the next round plans nothing', async () => {
    const desired = shopStack(w);
    const round = await converge(desired);

    assert.equal(round.actual, null, 'nothing existed before');
    assert.match(
      round.result.dnsName ?? '',
      /^k8s-shop-web-[0-9a-f]{10}-1\..*elb\.amazonaws\.com$/,
    );
    const found = await discoverStack(ctx, desired.id);
    assert.ok(found?.loadBalancer);
    assert.equal(found.loadBalancer.name, desired.loadBalancer?.name);
    assert.deepEqual(found.listeners.map((l) => l.id).sort(), ['listener/80', 'listener/8080']);
    assert.deepEqual(
      found.rules.map((r) => `${r.listenerId} ${r.priority} ${r.id}`).sort(),
      desired.rules.map((r) => `${r.listenerId} ${r.priority} ${r.id}`).sort(),
    );
    // Forwards come back as stack ids, not ARNs.
    assert.deepEqual(
      found.rules
        .find((r) => r.id === 'rule/80/shop/web/api')
        ?.actions[0]?.ForwardConfig?.TargetGroups.map((t) => t.TargetGroupId),
      [desired.targetGroups[0]?.id],
    );
    assert.deepEqual(
      found.targetGroups.map((tg) => [tg.id, tg.targets.length]).sort(),
      desired.targetGroups.map((tg) => [tg.id, env.world.nodes.length]).sort(),
    );
    assert.deepEqual(found.loadBalancer.securityGroups, [
      { kind: 'managed', id: 'sg/frontend' },
      { kind: 'shared-backend' },
    ]);

    // Every ELBv2 resource carries the ownership tags; members' resources name their member.
    const arns = [
      found.loadBalancer.arn,
      ...found.listeners.map((l) => l.arn),
      ...found.rules.map((r) => r.arn),
      ...found.targetGroups.map((tg) => tg.arn),
    ];
    const tagged = await ctx.clients.elbv2.send(
      new DescribeTagsCommand({ ResourceArns: arns.slice(0, 20) }),
    );
    for (const d of tagged.TagDescriptions ?? []) {
      const tags = new Map((d.Tags ?? []).map((t) => [t.Key, t.Value]));
      assert.equal(tags.get('albatross.dev/cluster'), env.clusterName, d.ResourceArn);
      assert.equal(tags.get('albatross.dev/stack'), 'shop/web', d.ResourceArn);
      assert.ok(tags.get('albatross.dev/resource'), d.ResourceArn);
      if (/listener-rule|targetgroup/.test(d.ResourceArn ?? '')) {
        assert.equal(tags.get('albatross.dev/ingress'), 'shop/web', d.ResourceArn);
      }
    }

    // Backend rules are cluster-level: the stack's apply makes none of its own; the
    // cluster-level reconcile admits the shared backend group on the whole NodePort range.
    assert.deepEqual(found.backendRules, []);
    const access = await reconcileBackendAccess(ctx, {
      stacks: [desired],
      nodePortRange: DEFAULT_NODE_PORT_RANGE,
      revoke: true,
      groups: new TargetGroupsOfTargets(),
    });
    assert.deepEqual(access.authorized, [
      `backend-rule/${env.world.nodeSecurityGroupId}/30000-32767`,
    ]);
    const backend = await findBackendSecurityGroup(ctx);
    assert.ok(backend);
    const nodeRules = await ctx.clients.ec2.send(
      new DescribeSecurityGroupRulesCommand({
        Filters: [{ Name: 'group-id', Values: [env.world.nodeSecurityGroupId] }],
      }),
    );
    const fromBackend = (nodeRules.SecurityGroupRules ?? []).filter(
      (r) => r.ReferencedGroupInfo?.GroupId === backend,
    );
    assert.deepEqual(fromBackend.map((r) => `${r.FromPort}-${r.ToPort}`).sort(), ['30000-32767']);
    const frontend = await ctx.clients.ec2.send(
      new DescribeSecurityGroupsCommand({ GroupIds: [found.securityGroups[0]?.groupId ?? ''] }),
    );
    assert.deepEqual(
      frontend.SecurityGroups?.[0]?.IpPermissions?.map((p) => p.FromPort).sort(),
      [80, 8080],
    );
  });

  it('GIVEN an applied stack WHEN it is discovered in steady state THEN the reads are few and bounded (reported)', async () => {
    const desired = shopStack(w);
    await converge(desired);
    const steady = await reconcile(ctx, desired);
    const reads = Object.values(steady.calls).reduce((a, b) => a + b, 0);
    const detail = Object.entries(steady.calls)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([op, n]) => `${op}=${n}`)
      .join(' ');
    console.log(
      `steady-state discovery of a stack with 2 listeners, 4 rules, 2 target groups: ${reads} reads, 0 writes (${detail})`,
    );
    assert.equal(steady.mutating, 0);
    assert.equal(steady.calls.DescribeTags, 1, 'listener and rule tags in one batch');
    assert.equal(steady.calls.GetResources, 1, 'one tagging call finds the ALB and target groups');
    assert.ok(reads <= 18, `at most 18 reads, got ${reads}`);
  });

  it("GIVEN an applied stack WHEN a rule's path changes THEN one ModifyRule changes it in place", async () => {
    const desired = shopStack(w);
    await converge(desired);
    const before = await discoverStack(ctx, desired.id);
    const changed: Stack = {
      ...desired,
      rules: desired.rules.map((r) =>
        r.id === 'rule/80/shop/web/api'
          ? {
              ...r,
              conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/v2/*'] } }],
            }
          : r,
      ),
    };
    const round = await converge(changed);
    assert.deepEqual(writes(round), { ModifyRule: 1 });
    const after = await discoverStack(ctx, desired.id);
    const arnOf = (s: typeof after) => s?.rules.find((r) => r.id === 'rule/80/shop/web/api')?.arn;
    assert.equal(arnOf(after), arnOf(before), 'the same rule, not a new one');
    assert.deepEqual(
      after?.rules.find((r) => r.id === 'rule/80/shop/web/api')?.conditions[0]?.PathPatternConfig
        ?.Values,
      ['/v2/*'],
    );
  });

  it('GIVEN an applied stack WHEN two rules swap order THEN only priorities move and no rule is deleted', async () => {
    const desired = shopStack(w);
    await converge(desired);
    const swapped: Stack = {
      ...desired,
      rules: desired.rules.map((r) =>
        r.listenerId !== 'listener/80' ? r : { ...r, priority: r.priority === 1 ? 2 : 1 },
      ),
    };
    const round = await converge(swapped);
    const w2 = writes(round);
    assert.deepEqual(Object.keys(w2), ['SetRulePriorities']);
    assert.ok((w2.SetRulePriorities ?? 0) >= 2);
    const listenerArn = (await discoverStack(ctx, desired.id))?.listeners.find(
      (l) => l.id === 'listener/80',
    )?.arn;
    const rules = await ctx.clients.elbv2.send(
      new DescribeRulesCommand({ ListenerArn: listenerArn }),
    );
    const paths = (rules.Rules ?? [])
      .filter((r) => r.IsDefault !== true)
      .sort((a, b) => Number(a.Priority) - Number(b.Priority))
      .map((r) => r.Conditions?.[0]?.PathPatternConfig?.Values?.[0]);
    assert.deepEqual(paths, ['/*', '/api/*']);
  });

  it('GIVEN an applied stack WHEN the targets scale THEN only the difference is registered and deregistered', async () => {
    const desired = shopStack(w);
    await converge(desired);
    const [api, web] = desired.targetGroups;
    assert.ok(api && web);
    const nodes = env.world.nodes;
    const scaled: Stack = {
      ...desired,
      // api: drop the last node; web: unchanged.
      targetGroups: [
        { ...api, targets: nodes.slice(0, 2).map((n) => ({ id: n.instanceId, port: 30080 })) },
        web,
      ],
    };
    const down = await converge(scaled);
    assert.deepEqual(writes(down), { DeregisterTargets: 1 });
    const found = await discoverStack(ctx, desired.id);
    const apiArn = found?.targetGroups.find((tg) => tg.id === api.id)?.arn;
    const health = await ctx.clients.elbv2.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: apiArn }),
    );
    const live = (health.TargetHealthDescriptions ?? []).filter(
      (d) => d.TargetHealth?.State !== 'draining',
    );
    assert.deepEqual(
      live.map((d) => d.Target?.Id).sort(),
      nodes
        .slice(0, 2)
        .map((n) => n.instanceId)
        .sort(),
    );

    const up = await converge(desired);
    assert.deepEqual(writes(up), { RegisterTargets: 1 });
  });

  it('GIVEN an applied stack WHEN a target group switches to ip targets THEN a new group serves the rules and the old one is deleted', async () => {
    const desired = shopStack(w);
    await converge(desired);
    const oldNames = await targetGroupNames(ctx);
    const apiIp = targetGroup(w, 'api', { targetType: 'ip', nodePort: 30080 });
    const switched: Stack = {
      ...desired,
      targetGroups: [apiIp, ...desired.targetGroups.slice(1)],
      rules: desired.rules.map((r) =>
        r.actions[0]?.ForwardConfig?.TargetGroups[0]?.TargetGroupId === apiIp.id
          ? { ...r, actions: [forward(apiIp.id)] }
          : r,
      ),
      backendRules: desired.backendRules.filter((b) => b.targetGroupId !== apiIp.id),
    };
    const round = await converge(switched);
    assert.equal(
      round.plan.some((s) => s.op === 'replace' && s.kind === 'TargetGroup'),
      true,
    );
    assert.equal(round.calls.DeleteRule, undefined, 'rules are modified, not recreated');
    const names = await targetGroupNames(ctx);
    assert.ok(names.includes(apiIp.name), 'the ip-mode group exists');
    assert.ok(
      !names.includes(desired.targetGroups[0]?.name ?? ''),
      'the instance-mode group is gone',
    );
    assert.equal(names.length, oldNames.length);
    const found = await discoverStack(ctx, desired.id);
    const tg = found?.targetGroups.find((t) => t.id === apiIp.id);
    assert.equal(tg?.targetType, 'ip');
    assert.deepEqual(
      tg.targets.map((t) => t.id).sort(),
      env.world.nodes.map((n) => n.privateIp).sort(),
    );
    for (const r of found?.rules.filter((x) => x.id.endsWith('/api')) ?? []) {
      assert.deepEqual(
        r.actions[0]?.ForwardConfig?.TargetGroups.map((t) => t.TargetGroupId),
        [apiIp.id],
      );
    }
  });

  it('GIVEN a rule added between two others WHEN applied THEN it is created at its priority and the others keep theirs or move', async () => {
    const desired = shopStack(w);
    await converge(desired);
    const api = desired.targetGroups[0]?.id ?? '';
    const withAdmin: Stack = {
      ...desired,
      rules: [
        ...desired.rules.map((r) =>
          r.listenerId === 'listener/80' && r.priority === 2 ? { ...r, priority: 3 } : r,
        ),
        rule(w, 'admin', '/admin/*', 2, api),
      ],
    };
    const round = await converge(withAdmin);
    assert.equal(round.calls.CreateRule, 1);
    assert.equal(round.calls.DeleteRule, undefined);
    const found = planChanges(withAdmin, await discoverStack(ctx, desired.id));
    assert.deepEqual(found, []);
  });
});
