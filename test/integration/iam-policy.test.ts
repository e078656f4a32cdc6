/**
 * iam/policy.json against the calls the controller really makes: an Ingress is created,
 * changed and deleted by the in-process reconciler against the API server and moto, the
 * CallCounter (pkg/aws) records every AWS call, and each must be an action the policy
 * grants. The static twin, test/unit/iam/policy.test.ts, reads the actions from the code.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { NetworkingV1Api, V1Ingress } from '@kubernetes/client-node';
import type { Reconciler } from '../../controller/reconciler.ts';
import type { AwsClients, CallRecord } from '../../pkg/aws/index.ts';
import type { ClusterCaches } from '../../pkg/k8s/index.ts';
import { TAG_CLUSTER } from '../../pkg/naming/index.ts';
import { useTestEnv } from '../env/testenv.ts';
import { eventually, ingress } from './k8s/helpers.ts';
import { startInProcessWorld, type InProcessWorld } from './k8s/in-process-world.ts';
import {
  describeDifference,
  grantedActions,
  iamPrefixOfCounterLabel,
  loadPolicy,
  neededActions,
} from '../unit/iam/policy-actions.ts';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const A = 'alb.ingress.kubernetes.io/';

describe('IAM policy against a live reconcile', () => {
  const testEnv = useTestEnv();
  let ns: string;
  let net: NetworkingV1Api;
  let aws: AwsClients;
  let caches: ClusterCaches;
  let reconciler: Reconciler;
  let harness: InProcessWorld;
  const calls: CallRecord[] = [];
  let unsubscribe: () => void = () => undefined;
  const signal = new AbortController().signal;

  before(async () => {
    harness = await startInProcessWorld(testEnv.env, 'iam', ['web', 'api']);
    ({ ns, net, aws, caches, reconciler } = harness);
    unsubscribe = aws.calls.subscribe((c) => calls.push(c));
  });
  after(async () => {
    unsubscribe();
    await harness.stop();
  });

  async function cached(name: string): Promise<V1Ingress> {
    const live = await net.readNamespacedIngress({ name, namespace: ns });
    return eventually(`cache of ${name}`, () => {
      const c = caches.ingresses.get(name, ns);
      return c?.metadata?.resourceVersion === live.metadata?.resourceVersion ? c : undefined;
    });
  }

  it('grants every call of a create, a change, a steady reconcile and a delete', async () => {
    const group = `${ns}/shop`;
    // GIVEN an Ingress with tags, attributes, a health check and a source range
    await net.createNamespacedIngress({
      namespace: ns,
      body: ingress(ns, 'shop', {
        services: ['web'],
        path: '/shop',
        annotations: {
          [`${A}tags`]: 'team=shop',
          [`${A}healthcheck-path`]: '/healthz',
          [`${A}load-balancer-attributes`]: 'idle_timeout.timeout_seconds=60',
          [`${A}inbound-cidrs`]: '10.0.0.0/8',
        },
      }),
    });
    await cached('shop');
    // WHEN it is created
    const created = await reconciler.reconcile(group, signal);
    assert.ok(created.dnsName !== null, 'an address');
    // THEN what it created carries our cluster tag, so the policy's RequestTag conditions hold
    await assertClusterTagged(testEnv.env.clusterName);

    // WHEN every annotation changes and a path is added
    await net.patchNamespacedIngress(
      {
        name: 'shop',
        namespace: ns,
        body: {
          metadata: {
            annotations: {
              [`${A}tags`]: 'team=shop2',
              [`${A}healthcheck-path`]: '/ready',
              [`${A}load-balancer-attributes`]: 'idle_timeout.timeout_seconds=90',
              [`${A}inbound-cidrs`]: '192.168.0.0/16',
            },
          },
          spec: ingress(ns, 'shop', { services: ['web', 'api'], path: '/shop' }).spec,
        },
      },
      mergePatch,
    );
    await cached('shop');
    const changed = await reconciler.reconcile(group, signal);
    assert.ok(changed.planned > 0, 'the change was planned');
    await cached('shop');
    // AND it is reconciled again unchanged: nothing to write
    const before = calls.length;
    const steady = await reconciler.reconcile(group, signal);
    assert.equal(steady.planned, 0);
    assert.deepEqual(
      calls.slice(before).filter((c) => !/^(Describe|Get|List)/.test(c.operation)),
      [],
    );

    // WHEN it is deleted
    await net.deleteNamespacedIngress({ name: 'shop', namespace: ns });
    await eventually('deletion seen', () =>
      caches.ingresses.get('shop', ns)?.metadata?.deletionTimestamp != null ? true : undefined,
    );
    await reconciler.reconcile(group, signal);
    const lbs = await aws.elbv2.send(new DescribeLoadBalancersCommand({}));
    assert.equal(lbs.LoadBalancers?.length ?? 0, 0, 'the ALB is gone');

    // THEN every call it made is an action the policy grants
    const statements = await loadPolicy();
    const granted = grantedActions(statements);
    const labels = [...new Set(calls.map((c) => c.service))];
    const unmapped = labels.filter((l) => iamPrefixOfCounterLabel[l] === undefined);
    assert.deepEqual(unmapped, [], 'add these CallCounter labels to iamPrefixOfCounterLabel');
    const called = new Set(
      calls.map((c) => `${iamPrefixOfCounterLabel[c.service] ?? c.service}:${c.operation}`),
    );
    const missing = [...neededActions(called)].filter((a) => !granted.has(a)).sort();
    assert.ok(missing.length === 0, `\n${describeDifference(missing, [])}`);
    // The scenario must reach writes of every kind, or it would prove little.
    for (const op of [
      'elasticloadbalancing:CreateLoadBalancer',
      'elasticloadbalancing:ModifyTargetGroup',
      'elasticloadbalancing:AddTags',
      'elasticloadbalancing:CreateRule',
      'elasticloadbalancing:DeleteLoadBalancer',
      'ec2:CreateSecurityGroup',
      'ec2:AuthorizeSecurityGroupIngress',
      'ec2:RevokeSecurityGroupIngress',
    ]) {
      assert.ok(called.has(op), `the scenario never called ${op}: ${[...called].join(', ')}`);
    }
    const notExercised = [...granted].filter((a) => !neededActions(called).has(a)).sort();
    console.log(
      `iam: ${String(called.size)} actions called live; granted but not reached by this scenario: ${notExercised.join(', ')}`,
    );
  });

  /**
   * Every load balancer, target group, listener, rule and security group in the account is
   * ours: the policy lets later writes to each only when it carries our tag.
   */
  async function assertClusterTagged(clusterName: string): Promise<void> {
    const lbs = (await aws.elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
    const tgs = (await aws.elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
    const listeners = (
      await Promise.all(
        lbs.map(
          async (l) =>
            (
              await aws.elbv2.send(
                new DescribeListenersCommand({ LoadBalancerArn: l.LoadBalancerArn }),
              )
            ).Listeners ?? [],
        ),
      )
    ).flat();
    const rules = (
      await Promise.all(
        listeners.map(
          async (l) =>
            (await aws.elbv2.send(new DescribeRulesCommand({ ListenerArn: l.ListenerArn })))
              .Rules ?? [],
        ),
      )
    )
      .flat()
      // The default rule is the listener's own; AWS authorizes its changes on the listener.
      .filter((r) => r.IsDefault !== true);
    assert.ok(listeners.length >= 1 && rules.length >= 1, 'a listener and a rule');
    const arns = [
      ...lbs.map((l) => l.LoadBalancerArn ?? ''),
      ...tgs.map((t) => t.TargetGroupArn ?? ''),
      ...listeners.map((l) => l.ListenerArn ?? ''),
      ...rules.map((r) => r.RuleArn ?? ''),
    ];
    const described = await aws.elbv2.send(new DescribeTagsCommand({ ResourceArns: arns }));
    assert.equal(described.TagDescriptions?.length, arns.length, 'every resource described');
    for (const d of described.TagDescriptions ?? []) {
      const tag = (d.Tags ?? []).find((t) => t.Key === TAG_CLUSTER);
      assert.equal(tag?.Value, clusterName, `${d.ResourceArn ?? ''} lacks ${TAG_CLUSTER}`);
    }
    const groups = await aws.ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [{ Name: 'tag-key', Values: [TAG_CLUSTER] }],
      }),
    );
    assert.ok((groups.SecurityGroups ?? []).length >= 1, 'security groups tagged on create');
  }
});
