/**
 * A group edit that removes a target group AWS will not delete yet: a rule someone added
 * by hand on our listener still forwards to it (DeleteTargetGroup answers ResourceInUse,
 * as AWS does, and moto too). The edit must still be applied, the target group kept
 * and tried again at a paced requeue, the member told what the group waits for, and the
 * target group deleted once the rule that used it changed
 * (docs/decisions/0016-waiting-for-aws-to-let-go.md).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  CreateRuleCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  ModifyRuleCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';

import { useTestEnv } from '../../env/testenv.ts';
import { eventually, ingress } from './helpers.ts';
import { startInProcessWorld, type InProcessWorld } from './in-process-world.ts';

describe('a target group still in use when the group stops needing it', () => {
  const testEnv = useTestEnv();
  let world: InProcessWorld;
  const signal = new AbortController().signal;
  const key = () => `${world.ns}/shop`;

  before(async () => {
    world = await startInProcessWorld(testEnv.env, 'held', ['a', 'b']);
  });
  after(async () => {
    await world.stop();
  });

  function calls(operation: string): number {
    return world.aws.calls
      .snapshot()
      .filter((c) => c.operation === operation)
      .reduce((sum, c) => sum + c.count, 0);
  }

  async function targetGroupArns(): Promise<string[]> {
    const found = await world.aws.elbv2.send(new DescribeTargetGroupsCommand({}));
    return (found.TargetGroups ?? []).map((tg) => tg.TargetGroupArn ?? '').sort();
  }

  async function waitingEvents(): Promise<{ type: string; message: string }[]> {
    const events = await world.core.listNamespacedEvent({
      namespace: world.ns,
      fieldSelector: 'involvedObject.name=shop,reason=WaitingOnAws',
    });
    return events.items.map((e) => ({ type: e.type ?? '', message: e.message ?? '' }));
  }

  it('applies the edit, waits for the rule to let go, then deletes the target group', async () => {
    // GIVEN shop routing / to a and /b to b, and a rule added by hand on its listener
    // that forwards /legacy to b's target group too
    await world.net.createNamespacedIngress({
      namespace: world.ns,
      body: ingress(world.ns, 'shop', { services: ['a', 'b'] }),
    });
    await eventually('the cache sees shop', () => world.caches.ingresses.get('shop', world.ns));
    await world.reconciler.reconcile(key(), signal);
    const lbs = await world.aws.elbv2.send(new DescribeLoadBalancersCommand({}));
    const lbArn = lbs.LoadBalancers?.[0]?.LoadBalancerArn;
    const listeners = await world.aws.elbv2.send(
      new DescribeListenersCommand({ LoadBalancerArn: lbArn }),
    );
    const listenerArn = listeners.Listeners?.[0]?.ListenerArn ?? '';
    const rules = await world.aws.elbv2.send(
      new DescribeRulesCommand({ ListenerArn: listenerArn }),
    );
    const ruleB = (rules.Rules ?? []).find((r) =>
      (r.Conditions ?? []).some((c) => (c.PathPatternConfig?.Values ?? []).includes('/b')),
    );
    const forward = ruleB?.Actions?.find((a) => a.Type === 'forward');
    const tgB =
      forward?.TargetGroupArn ?? forward?.ForwardConfig?.TargetGroups?.[0]?.TargetGroupArn ?? '';
    assert.notEqual(tgB, '', 'the /b rule forwards to a target group');
    const handMade = await world.aws.elbv2.send(
      new CreateRuleCommand({
        ListenerArn: listenerArn,
        Priority: 50_000,
        Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/legacy'] } }],
        Actions: [{ Type: 'forward', TargetGroupArn: tgB }],
      }),
    );
    const handMadeArn = handMade.Rules?.[0]?.RuleArn ?? '';

    // WHEN the Ingress stops routing to b
    const current = await world.net.readNamespacedIngress({ name: 'shop', namespace: world.ns });
    const spec = ingress(world.ns, 'shop', { services: ['a'] }).spec ?? {};
    await world.net.replaceNamespacedIngress({
      name: 'shop',
      namespace: world.ns,
      body: { metadata: current.metadata ?? {}, spec },
    });
    await eventually('the cache sees the edit', () =>
      world.caches.ingresses.get('shop', world.ns)?.spec?.rules?.[0]?.http?.paths.length === 1
        ? true
        : undefined,
    );
    const waiting = await world.reconciler.reconcile(key(), signal);

    // THEN the edit is applied (our /b rule gone), the target group kept, and the group
    // comes back in 5 s, saying what it waits for
    const after = await world.aws.elbv2.send(
      new DescribeRulesCommand({ ListenerArn: listenerArn }),
    );
    assert.equal(
      (after.Rules ?? []).some((r) => r.RuleArn === ruleB?.RuleArn),
      false,
      'our /b rule is deleted',
    );
    assert.ok((await targetGroupArns()).includes(tgB), 'b is kept while the rule uses it');
    assert.deepEqual(
      waiting.held?.map((h) => [h.kind, h.awsId, h.code]),
      [['TargetGroup', tgB, 'ResourceInUse']],
    );
    assert.equal(waiting.requeueAfterMs, 5_000);
    assert.match(
      waiting.waitingOn ?? '',
      /^target group k8s-\S+ still in use by a listener or rule \(ResourceInUse\); retrying in 5s$/,
    );
    const [event] = await waitingEvents();
    assert.equal(event?.type, 'Normal');
    assert.equal(event.message, waiting.waitingOn);

    // AND a reconcile while it is still held tries the delete once, and waits longer
    world.aws.calls.reset();
    const again = await world.reconciler.reconcile(key(), signal);
    assert.equal(calls('DeleteTargetGroup'), 1);
    assert.equal(again.requeueAfterMs, 10_000);

    // WHEN the hand-made rule stops forwarding to b
    await world.aws.elbv2.send(
      new ModifyRuleCommand({
        RuleArn: handMadeArn,
        Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '410' } }],
      }),
    );
    const done = await world.reconciler.reconcile(key(), signal);

    // THEN b is deleted, the wait is over, and the group is in sync
    assert.equal((await targetGroupArns()).includes(tgB), false, 'b is deleted');
    assert.equal(done.held?.length ?? 0, 0);
    assert.equal(done.waitingOn, undefined);
    const quiet = await world.reconciler.reconcile(key(), signal);
    assert.equal(quiet.planned, 0);
  });
});
