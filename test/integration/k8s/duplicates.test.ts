/**
 * Duplicates repaired, against the API server and moto: what a create sent twice leaves
 * (a second ALB, a second listener on port 80, a second target group, a rule created
 * twice, a second security group, all with our tags) is made here directly with the
 * test's SDK clients, then one reconcile keeps the one in use of each, deletes the rest,
 * leaves the Ingress's address as it was, says so in Events and the metric, and the next
 * reconcile has nothing to do.
 *
 * The second ALB gets a name of its own (an emulator that answers a create with an
 * existing name by returning the existing ALB, as AWS does, would not make a copy). The
 * second listener on port 80 is created directly when the emulator allows it (moto does);
 * one that refuses it (AWS's DuplicateListener) gets it created on a free port and moved
 * to 80 with ModifyListener.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { CreateSecurityGroupCommand, DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  ModifyListenerCommand,
  type Rule,
  type Tag,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { CoreV1Api, NetworkingV1Api } from '@kubernetes/client-node';

import { ControllerMetrics } from '../../../controller/metrics.ts';
import type { Reconciler } from '../../../controller/reconciler.ts';
import { isMutating } from '../../../pkg/aws/index.ts';
import type { AwsClients } from '../../../pkg/aws/index.ts';
import type { ClusterCaches } from '../../../pkg/k8s/index.ts';
import { TAG_RESOURCE, TAG_STACK } from '../../../pkg/naming/index.ts';
import { useTestEnv } from '../../env/testenv.ts';

import { eventually, ingress } from './helpers.ts';
import { startInProcessWorld, type InProcessWorld } from './in-process-world.ts';

describe('duplicates are repaired', () => {
  const testEnv = useTestEnv();
  let ns: string;
  let net: NetworkingV1Api;
  let core: CoreV1Api;
  let aws: AwsClients;
  let caches: ClusterCaches;
  let reconciler: Reconciler;
  let harness: InProcessWorld;
  let group: string;
  const signal = new AbortController().signal;

  before(async () => {
    harness = await startInProcessWorld(testEnv.env, 'dups', ['web', 'api']);
    ({ ns, net, core, aws, caches, reconciler } = harness);
    group = `${ns}/shop`;
    await net.createNamespacedIngress({
      namespace: ns,
      body: ingress(ns, 'shop', { services: ['web', 'api'], path: '/shop' }),
    });
    await eventually('cache of shop', () => caches.ingresses.get('shop', ns));
  });
  after(async () => {
    await harness.stop();
  });

  /** Tags of ELBv2 resources, by ARN. */
  async function tagsOf(arns: readonly string[]): Promise<Map<string, Tag[]>> {
    if (arns.length === 0) return new Map();
    const found = await aws.elbv2.send(new DescribeTagsCommand({ ResourceArns: [...arns] }));
    return new Map((found.TagDescriptions ?? []).map((d) => [d.ResourceArn ?? '', d.Tags ?? []]));
  }

  const tag = (tags: readonly Tag[] | undefined, key: string) =>
    tags?.find((t) => t.Key === key)?.Value;

  /** Everything of the stack in the emulator, found by our stack tag. */
  async function inAws() {
    const lbs = (await aws.elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
    const lbTags = await tagsOf(lbs.map((l) => l.LoadBalancerArn ?? ''));
    const ours = lbs.filter((l) => tag(lbTags.get(l.LoadBalancerArn ?? ''), TAG_STACK) === group);
    const listeners = (
      await Promise.all(
        ours.map(
          async (l) =>
            (
              await aws.elbv2.send(
                new DescribeListenersCommand({ LoadBalancerArn: l.LoadBalancerArn }),
              )
            ).Listeners ?? [],
        ),
      )
    ).flat();
    const rules = new Map<string, Rule[]>();
    for (const l of listeners) {
      const found = await aws.elbv2.send(new DescribeRulesCommand({ ListenerArn: l.ListenerArn }));
      rules.set(
        l.ListenerArn ?? '',
        (found.Rules ?? []).filter((r) => r.IsDefault !== true),
      );
    }
    const tgs = (await aws.elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
    const tgTags = await tagsOf(tgs.map((t) => t.TargetGroupArn ?? ''));
    const sgs =
      (
        await aws.ec2.send(
          new DescribeSecurityGroupsCommand({
            Filters: [{ Name: `tag:${TAG_STACK}`, Values: [group] }],
          }),
        )
      ).SecurityGroups ?? [];
    return {
      lbs: ours,
      listeners,
      rules,
      tgs: tgs
        .filter((t) => tag(tgTags.get(t.TargetGroupArn ?? ''), TAG_STACK) === group)
        .map((t) => ({ tg: t, tags: tgTags.get(t.TargetGroupArn ?? '') ?? [] })),
      sgs,
    };
  }

  function writes(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of aws.calls.snapshot()) {
      if (isMutating(c.operation)) out[c.operation] = (out[c.operation] ?? 0) + c.count;
    }
    return out;
  }

  async function address(): Promise<string | undefined> {
    const live = await net.readNamespacedIngress({ name: 'shop', namespace: ns });
    return live.status?.loadBalancer?.ingress?.[0]?.hostname;
  }

  /** A second listener on port 80 of `lbArn`, tagged as ours, with `defaults` as its action. */
  async function secondListenerOn80(lbArn: string, tags: Tag[]): Promise<string> {
    const existing = new Set(
      (
        (await aws.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lbArn })))
          .Listeners ?? []
      ).map((l) => l.ListenerArn),
    );
    const fixed = {
      Type: 'fixed-response' as const,
      FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain' },
    };
    try {
      const made = await aws.elbv2.send(
        new CreateListenerCommand({
          LoadBalancerArn: lbArn,
          Port: 80,
          Protocol: 'HTTP',
          DefaultActions: [fixed],
          Tags: tags,
        }),
      );
      const arn = made.Listeners?.[0]?.ListenerArn ?? '';
      if (!existing.has(arn)) return arn;
    } catch (err) {
      if ((err as { name?: string }).name !== 'DuplicateListenerException') throw err;
    }
    // An emulator that refuses a second port 80 (as AWS does): make it elsewhere, move it.
    const made = await aws.elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: lbArn,
        Port: 8079,
        Protocol: 'HTTP',
        DefaultActions: [fixed],
        Tags: tags,
      }),
    );
    const arn = made.Listeners?.[0]?.ListenerArn ?? '';
    await aws.elbv2.send(new ModifyListenerCommand({ ListenerArn: arn, Port: 80 }));
    return arn;
  }

  it('keeps the one in use of each, deletes the others, and a second reconcile does nothing', async () => {
    // GIVEN the group created and its address published
    const first = await reconciler.reconcile(group, signal);
    assert.ok(first.dnsName !== null);
    const published = await eventually('status address', address);
    await eventually('status in the cache', () =>
      caches.ingresses.get('shop', ns)?.status?.loadBalancer?.ingress?.[0]?.hostname === published
        ? true
        : undefined,
    );
    const before = await inAws();
    assert.equal(before.lbs.length, 1);
    const lb = before.lbs[0] ?? assert.fail();
    const lbArn = lb.LoadBalancerArn ?? '';
    const listener = before.listeners[0] ?? assert.fail();
    const listenerArn = listener.ListenerArn ?? '';
    const rules = before.rules.get(listenerArn) ?? [];
    assert.equal(rules.length, 2);
    const keptRules = rules.map((r) => r.RuleArn).sort();
    const keptTgs = before.tgs.map((t) => t.tg.TargetGroupArn).sort();
    const all = await tagsOf([lbArn, listenerArn, ...rules.map((r) => r.RuleArn ?? '')]);

    // AND duplicates of everything, made behind the controller's back with our tags:
    // a second ALB (another name), a second listener on port 80 holding a copy of a rule,
    const extraLb = await aws.elbv2.send(
      new CreateLoadBalancerCommand({
        Name: `dup-${String(Date.now() % 100000)}`,
        Subnets: (lb.AvailabilityZones ?? []).map((az) => az.SubnetId ?? ''),
        Scheme: lb.Scheme,
        Type: 'application',
        Tags: all.get(lbArn),
      }),
    );
    const extraLbArn = extraLb.LoadBalancers?.[0]?.LoadBalancerArn ?? '';
    const extraListener = await secondListenerOn80(lbArn, all.get(listenerArn) ?? []);
    const [web, api] = rules;
    assert.ok(web !== undefined && api !== undefined);
    await aws.elbv2.send(
      new CreateRuleCommand({
        ListenerArn: extraListener,
        Priority: 1,
        Conditions: api.Conditions,
        Actions: api.Actions,
        Tags: all.get(api.RuleArn ?? ''),
      }),
    );
    // a rule created twice on the kept listener (later priority, same tags),
    const twin = await aws.elbv2.send(
      new CreateRuleCommand({
        ListenerArn: listenerArn,
        Priority: 40,
        Conditions: web.Conditions,
        Actions: web.Actions,
        Tags: all.get(web.RuleArn ?? ''),
      }),
    );
    const twinArn = twin.Rules?.[0]?.RuleArn ?? '';
    // a second target group with the resource tag of one of ours (another name, no targets),
    const original = before.tgs[0] ?? assert.fail();
    const extraTg = await aws.elbv2.send(
      new CreateTargetGroupCommand({
        Name: `dup-tg-${String(Date.now() % 100000)}`,
        Protocol: 'HTTP',
        Port: original.tg.Port,
        VpcId: original.tg.VpcId,
        TargetType: original.tg.TargetType,
        Tags: original.tags,
      }),
    );
    const extraTgArn = extraTg.TargetGroups?.[0]?.TargetGroupArn ?? '';
    // and a second security group for each of the stack's (none is in use).
    const extraSgs: string[] = [];
    for (const sg of before.sgs) {
      const made = await aws.ec2.send(
        new CreateSecurityGroupCommand({
          GroupName: `dup-${sg.GroupName ?? ''}`,
          Description: sg.Description ?? 'dup',
          VpcId: sg.VpcId,
          TagSpecifications: [{ ResourceType: 'security-group', Tags: sg.Tags }],
        }),
      );
      extraSgs.push(made.GroupId ?? '');
    }

    // WHEN the group is reconciled
    const repaired = await reconciler.reconcile(group, signal);

    // THEN one of each is left, and it is the one in use
    const after = await inAws();
    assert.deepEqual(
      after.lbs.map((l) => l.LoadBalancerArn),
      [lbArn],
    );
    assert.deepEqual(
      after.listeners.map((l) => l.ListenerArn),
      [listenerArn],
    );
    assert.deepEqual((after.rules.get(listenerArn) ?? []).map((r) => r.RuleArn).sort(), keptRules);
    assert.deepEqual(after.tgs.map((t) => t.tg.TargetGroupArn).sort(), keptTgs);
    assert.deepEqual(
      after.sgs.map((sg) => sg.GroupId).sort(),
      before.sgs.map((sg) => sg.GroupId).sort(),
    );
    // AND the address is the one published before
    assert.equal(repaired.dnsName, published);
    assert.equal(await address(), published);
    // AND each removal is a DuplicateRemoved Event naming the kind, the ARN removed and the one kept
    const events = (await core.listNamespacedEvent({ namespace: ns })).items.filter(
      (e) => e.reason === 'DuplicateRemoved' && e.involvedObject.name === 'shop',
    );
    const said = (kind: string, removed: string, kept: string) =>
      events.some((e) => {
        const m = e.message ?? '';
        return e.type === 'Normal' && m.includes(kind) && m.includes(removed) && m.includes(kept);
      });
    assert.ok(said('LoadBalancer', extraLbArn, lbArn), 'the ALB');
    assert.ok(said('Listener', extraListener, listenerArn), 'the listener');
    assert.ok(said('ListenerRule', twinArn, web.RuleArn ?? ''), 'the rule');
    assert.ok(
      said('TargetGroup', extraTgArn, original.tg.TargetGroupArn ?? ''),
      'the target group',
    );
    for (const sg of extraSgs) assert.ok(said('SecurityGroup', sg, ''), 'the security group');
    // AND the metric counts them by kind
    const metrics = new ControllerMetrics({
      queueDepth: () => 0,
      isLeader: () => true,
      duplicatesRepaired: () => reconciler.duplicatesRepaired(),
    });
    const { body } = await metrics.scrape();
    for (const [kind, n] of [
      ['LoadBalancer', 1],
      ['Listener', 1],
      ['ListenerRule', 1],
      ['TargetGroup', 1],
    ] as const) {
      assert.match(
        body,
        new RegExp(`albatross_duplicates_repaired_total\\{kind="${kind}"\\} ${String(n)}\\n`),
      );
    }
    if (extraSgs.length > 0) {
      assert.match(
        body,
        new RegExp(
          `albatross_duplicates_repaired_total\\{kind="SecurityGroup"\\} ${String(extraSgs.length)}\\n`,
        ),
      );
    }

    // AND the next reconcile plans nothing and writes nothing
    aws.calls.reset();
    const again = await reconciler.reconcile(group, signal);
    assert.equal(again.planned, 0);
    assert.deepEqual(writes(), {});
  });

  it('a rule created twice behind our back is seen by the steady-state check', async () => {
    // GIVEN the group settled (the last test left it so)
    const settled = await reconciler.reconcile(group, signal);
    assert.equal(settled.planned, 0);
    const before = await inAws();
    const listenerArn = before.listeners[0]?.ListenerArn ?? '';
    const [web] = before.rules.get(listenerArn) ?? [];
    assert.ok(web !== undefined);
    const tags = await tagsOf([web.RuleArn ?? '']);
    // WHEN the same rule is created again at a later priority, and the group reconciled
    await aws.elbv2.send(
      new CreateRuleCommand({
        ListenerArn: listenerArn,
        Priority: 41,
        Conditions: web.Conditions,
        Actions: web.Actions,
        Tags: tags.get(web.RuleArn ?? ''),
      }),
    );
    const repaired = await reconciler.reconcile(group, signal);
    // THEN the check saw it, the full discovery found it, and the twin alone was deleted
    assert.equal(repaired.discovery, 'full');
    assert.deepEqual(repaired.byChange, { 'delete ListenerRule': 1 });
    const after = await inAws();
    assert.deepEqual(
      (after.rules.get(listenerArn) ?? []).map((r) => r.RuleArn),
      (before.rules.get(listenerArn) ?? []).map((r) => r.RuleArn),
    );
    assert.equal(tag(tags.get(web.RuleArn ?? ''), TAG_RESOURCE) !== undefined, true);
  });
});
