/**
 * Lost answers, made real without a proxy: a test-only middleware on the controller's
 * own SDK clients, below the SDK's retry step, forwards the first call of each write to
 * the emulator, drops the answer and throws a connection reset. The SDK retries, as it
 * does on AWS, and its second attempt meets the first one's effect in the real emulator
 * (idempotent creates, PriorityInUse, InvalidGroup.Duplicate, InvalidPermission.*).
 * Nothing may be created twice, and the reconcile must succeed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { DeserializeMiddleware, MiddlewareStack } from '@smithy/types';
import type { NetworkingV1Api } from '@kubernetes/client-node';
import { isMutating } from '../../../pkg/aws/index.ts';
import { TAG_STACK } from '../../../pkg/naming/index.ts';
import type { Reconciler } from '../../../controller/reconciler.ts';
import { useTestEnv } from '../../env/testenv.ts';
import { eventually, ingress } from './helpers.ts';
import { startInProcessWorld, type InProcessWorld } from './in-process-world.ts';

/** Loses the answer of the first call of every write operation; records which. */
function loseFirstAnswers<I extends object, O extends object>(
  stack: MiddlewareStack<I, O>,
  lost: string[],
): void {
  const middleware: DeserializeMiddleware<I, O> = (next, context) => async (args) => {
    const operation = String(context.commandName).replace(/Command$/, '');
    if (!isMutating(operation) || lost.includes(operation)) return next(args);
    await next(args); // AWS did it...
    lost.push(operation);
    // ...and the answer never came: what the SDK sees when a connection resets.
    throw Object.assign(new Error(`socket hang up (answer to ${operation} dropped)`), {
      code: 'ECONNRESET',
      $metadata: {},
    });
  };
  stack.add(middleware, { step: 'deserialize', name: 'loseFirstAnswers' });
}

describe('lost answers to writes', () => {
  const testEnv = useTestEnv();
  let harness: InProcessWorld;
  let ns: string;
  let net: NetworkingV1Api;
  let reconciler: Reconciler;
  const lost: string[] = [];
  const signal = new AbortController().signal;

  before(async () => {
    harness = await startInProcessWorld(testEnv.env, 'lost', ['web', 'api']);
    ({ ns, net, reconciler } = harness);
    loseFirstAnswers(harness.aws.elbv2.middlewareStack, lost);
    loseFirstAnswers(harness.aws.ec2.middlewareStack, lost);
  });
  after(async () => {
    await harness.stop();
  });

  /** What exists in the emulator, counted. */
  async function inAws() {
    const { elbv2, ec2 } = testEnv.env.aws;
    const lbs = (await elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
    const listeners = (
      await Promise.all(
        lbs.map(async (lb) => {
          const out = await elbv2.send(
            new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }),
          );
          return out.Listeners ?? [];
        }),
      )
    ).flat();
    const rules = (
      await Promise.all(
        listeners.map(async (l) => {
          const out = await elbv2.send(new DescribeRulesCommand({ ListenerArn: l.ListenerArn }));
          return (out.Rules ?? []).filter((r) => r.IsDefault !== true);
        }),
      )
    ).flat();
    const tgs = (await elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
    const sgs =
      (
        await ec2.send(
          new DescribeSecurityGroupsCommand({
            Filters: [{ Name: `tag:${TAG_STACK}`, Values: [`${ns}/shop`] }],
          }),
        )
      ).SecurityGroups ?? [];
    return {
      loadBalancers: lbs.length,
      listeners: listeners.map((l) => l.Port).sort(),
      rules: rules.length,
      targetGroups: tgs.length,
      securityGroups: sgs.length,
    };
  }

  it('creates a group once, every create answer lost, and a second reconcile plans nothing', async () => {
    // GIVEN an Ingress with two backends
    await net.createNamespacedIngress({
      namespace: ns,
      body: ingress(ns, 'shop', { services: ['web', 'api'] }),
    });
    await eventually('cache of shop', () => harness.caches.ingresses.get('shop', ns));
    // WHEN it is reconciled while the first answer of every write is lost
    const first = await reconciler.reconcile(`${ns}/shop`, signal);
    assert.ok(first.planned > 0);
    // THEN the writes whose retry meets its own effect were all exercised...
    for (const op of [
      'CreateLoadBalancer',
      'CreateTargetGroup',
      'CreateListener',
      'CreateRule',
      'CreateSecurityGroup',
      'AuthorizeSecurityGroupIngress',
      'RegisterTargets',
    ]) {
      assert.ok(lost.includes(op), `the answer to ${op} was lost (lost: ${lost.join(', ')})`);
    }
    // ...and each resource exists once
    assert.deepEqual(await inAws(), {
      loadBalancers: 1,
      listeners: [80],
      rules: 2,
      targetGroups: 2,
      securityGroups: 1,
    });
    const again = await reconciler.reconcile(`${ns}/shop`, signal);
    assert.equal(again.planned, 0);
  });

  it('deletes a group, every delete answer lost, leaving nothing behind', async () => {
    // GIVEN the group above, WHEN its Ingress is deleted and the first answer of each
    // delete is lost
    await net.deleteNamespacedIngress({ name: 'shop', namespace: ns });
    await eventually('deletion seen', () =>
      harness.caches.ingresses.get('shop', ns)?.metadata?.deletionTimestamp != null
        ? true
        : undefined,
    );
    await reconciler.reconcile(`${ns}/shop`, signal);
    // THEN every delete was exercised and nothing of the stack is left
    for (const op of [
      'DeleteRule',
      'DeleteLoadBalancer',
      'DeleteTargetGroup',
      'DeleteSecurityGroup',
    ]) {
      assert.ok(lost.includes(op), `the answer to ${op} was lost (lost: ${lost.join(', ')})`);
    }
    assert.deepEqual(await inAws(), {
      loadBalancers: 0,
      listeners: [],
      rules: 0,
      targetGroups: 0,
      securityGroups: 0,
    });
  });
});
