/**
 * The load-balancer and routing annotations of issue 6, from an Ingress through
 * buildStack to the emulator and back: each one lands in AWS, a change is the one in-place
 * call it needs (or a replacement, where AWS has no such call), and the next round plans
 * nothing and writes nothing. moto lacks dualstack-without-public-ipv4, the ALB's address
 * pools and capacity reservations: test/env/moto_server.py adds them (see there).
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { CreateManagedPrefixListCommand, DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import {
  AddTagsCommand,
  DescribeCapacityReservationCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeListenersCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { V1Ingress } from '@kubernetes/client-node';
import type { DeployContext } from '../../../pkg/deploy/index.ts';
import type { AwsClients } from '../../../pkg/aws/index.ts';
import { buildStack, defaultTranslateConfig } from '../../../pkg/translate/index.ts';
import type { TranslateConfig } from '../../../pkg/translate/index.ts';
import { useTestEnv } from '../../env/testenv.ts';
import type { TestEnv } from '../../env/testenv.ts';
import { deployContext, reconcile, writes } from './harness.ts';
import type { Round } from './harness.ts';
import { group, shopIngress, worldEnv } from './ingress-world.ts';

const A = 'alb.ingress.kubernetes.io/';

function annotated(annotations: Record<string, string>, ingress?: V1Ingress): V1Ingress {
  const base = ingress ?? shopIngress([['/', 'web']], '[{"HTTP": 80}]');
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      namespace: 'shop',
      name: 'web',
      annotations: { ...(base.metadata?.annotations ?? {}), ...annotations },
    },
    ...(base.spec === undefined ? {} : { spec: base.spec }),
  };
}

describe('deploy: load-balancer and routing annotations', () => {
  const testEnv = useTestEnv();
  let env: TestEnv;
  let ctx: DeployContext & { readonly clients: AwsClients };
  let config: TranslateConfig;
  before(() => {
    env = testEnv.env;
    config = { ...defaultTranslateConfig, clusterName: env.clusterName };
  });
  beforeEach(async () => {
    await env.resetAws();
    ctx = deployContext(env);
  });
  after(() => {
    ctx.clients.destroy();
  });

  /** Builds the group of `ingress` (no error problem allowed) and reconciles it. */
  async function round(ingress: V1Ingress, cfg: TranslateConfig = config): Promise<Round> {
    const built = buildStack(group(ingress), worldEnv(env), cfg);
    assert.deepEqual(
      built.problems.filter((p) => p.severity === 'error'),
      [],
    );
    const r = await reconcile(ctx, built.stack);
    assert.deepEqual(r.result.skipped, []);
    return r;
  }

  async function steady(ingress: V1Ingress, cfg: TranslateConfig = config): Promise<void> {
    const r = await round(ingress, cfg);
    assert.deepEqual(
      r.plan.map((s) => `${s.op} ${s.kind} ${s.id}: ${s.reason}`),
      [],
    );
    assert.equal(r.mutating, 0);
  }

  async function theLoadBalancer() {
    const found = await ctx.clients.elbv2.send(new DescribeLoadBalancersCommand({}));
    assert.equal(found.LoadBalancers?.length, 1);
    const [lb] = found.LoadBalancers ?? [];
    const arn = lb?.LoadBalancerArn;
    assert.ok(lb !== undefined && arn !== undefined);
    return { ...lb, LoadBalancerArn: arn };
  }

  /** The managed frontend group's inbound sources, as `port source`. */
  async function frontendSources(): Promise<string[]> {
    const found = await ctx.clients.ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [{ Name: 'tag:albatross.dev/resource', Values: ['sg/frontend'] }],
      }),
    );
    const perms = found.SecurityGroups?.[0]?.IpPermissions ?? [];
    return perms
      .flatMap((p) => [
        ...(p.IpRanges ?? []).map((r) => `${String(p.FromPort)} ${r.CidrIp ?? ''}`),
        ...(p.Ipv6Ranges ?? []).map((r) => `${String(p.FromPort)} ${r.CidrIpv6 ?? ''}`),
        ...(p.PrefixListIds ?? []).map((r) => `${String(p.FromPort)} ${r.PrefixListId ?? ''}`),
      ])
      .sort();
  }

  it('GIVEN ip-address-type dualstack WHEN applied THEN the ALB is dualstack, ::/0 is open next to 0.0.0.0/0, and a switch to dualstack-without-public-ipv4 is one SetIpAddressType', async () => {
    const dual = annotated({
      [`${A}scheme`]: 'internet-facing',
      [`${A}ip-address-type`]: 'dualstack',
    });
    await round(dual);
    assert.equal((await theLoadBalancer()).IpAddressType, 'dualstack');
    assert.deepEqual(await frontendSources(), ['80 0.0.0.0/0', '80 ::/0']);
    await steady(dual);

    const noPublicV4 = annotated({
      [`${A}scheme`]: 'internet-facing',
      [`${A}ip-address-type`]: 'dualstack-without-public-ipv4',
    });
    const changed = await round(noPublicV4);
    assert.deepEqual(writes(changed), { SetIpAddressType: 1 });
    assert.equal((await theLoadBalancer()).IpAddressType, 'dualstack-without-public-ipv4');
    await steady(noPublicV4);
  });

  it('GIVEN security-group-prefix-lists without inbound-cidrs WHEN applied THEN each listen port admits the prefix list only; inbound-cidrs added later only authorizes the CIDRs', async () => {
    const created = await ctx.clients.ec2.send(
      new CreateManagedPrefixListCommand({
        PrefixListName: 'office',
        AddressFamily: 'IPv4',
        MaxEntries: 5,
        Entries: [{ Cidr: '192.0.2.0/24' }],
      }),
    );
    const pl = created.PrefixList?.PrefixListId ?? '';
    assert.match(pl, /^pl-/);
    const ports = '[{"HTTP": 80}, {"HTTP": 8080}]';
    const listsOnly = annotated(
      { [`${A}security-group-prefix-lists`]: pl },
      shopIngress([['/', 'web']], ports),
    );
    await round(listsOnly);
    assert.deepEqual(await frontendSources(), [`80 ${pl}`, `8080 ${pl}`]);
    await steady(listsOnly);

    const both = annotated({ [`${A}inbound-cidrs`]: '10.0.0.0/8' }, listsOnly);
    const changed = await round(both);
    assert.deepEqual(writes(changed), { AuthorizeSecurityGroupIngress: 1 });
    assert.deepEqual(await frontendSources(), [
      '80 10.0.0.0/8',
      `80 ${pl}`,
      '8080 10.0.0.0/8',
      `8080 ${pl}`,
    ]);
    await steady(both);
  });

  it('GIVEN the address pools and a capacity reservation WHEN applied THEN the ALB has them; the IPAM pool and the capacity change in place, a removed capacity annotation leaves the reservation alone and CapacityUnits=0 resets it, and a new customer-owned pool replaces the ALB', async () => {
    const coip = 'ipv4pool-coip-0123456789abcdef0';
    const pools = annotated({
      [`${A}customer-owned-ipv4-pool`]: coip,
      [`${A}ipam-ipv4-pool-id`]: 'ipam-pool-0aaaaaaaaaaaaaaa1',
      [`${A}minimum-load-balancer-capacity`]: 'CapacityUnits=100',
    });
    const first = await round(pools);
    assert.equal(first.calls.ModifyCapacityReservation, 1);
    let lb = await theLoadBalancer();
    assert.equal(lb.Scheme, 'internal');
    assert.equal(lb.CustomerOwnedIpv4Pool, coip);
    assert.equal(lb.IpamPools?.Ipv4IpamPoolId, 'ipam-pool-0aaaaaaaaaaaaaaa1');
    const units = async () =>
      (
        await ctx.clients.elbv2.send(
          new DescribeCapacityReservationCommand({ LoadBalancerArn: lb.LoadBalancerArn }),
        )
      ).MinimumLoadBalancerCapacity?.CapacityUnits;
    assert.equal(await units(), 100);
    await steady(pools);

    const moved = annotated(
      {
        [`${A}ipam-ipv4-pool-id`]: 'ipam-pool-0bbbbbbbbbbbbbbb2',
        [`${A}minimum-load-balancer-capacity`]: 'CapacityUnits=200',
      },
      pools,
    );
    const changed = await round(moved);
    assert.deepEqual(writes(changed), { ModifyCapacityReservation: 1, ModifyIpPools: 1 });
    lb = await theLoadBalancer();
    assert.equal(lb.IpamPools?.Ipv4IpamPoolId, 'ipam-pool-0bbbbbbbbbbbbbbb2');
    assert.equal(await units(), 200);
    await steady(moved);

    const withoutBoth = annotated({ [`${A}customer-owned-ipv4-pool`]: coip });
    const removed = await round(withoutBoth);
    // The pool goes (absent = no pool); the reservation stays (absent = don't care).
    assert.deepEqual(writes(removed), { ModifyIpPools: 1 });
    lb = await theLoadBalancer();
    assert.equal(lb.IpamPools?.Ipv4IpamPoolId, undefined);
    assert.equal(await units(), 200);
    await steady(withoutBoth);

    const reset = annotated({
      [`${A}customer-owned-ipv4-pool`]: coip,
      [`${A}minimum-load-balancer-capacity`]: 'CapacityUnits=0',
    });
    assert.deepEqual(writes(await round(reset)), { ModifyCapacityReservation: 1 });
    assert.equal(await units(), undefined);
    await steady(reset);

    const otherPool = annotated({
      [`${A}customer-owned-ipv4-pool`]: 'ipv4pool-coip-0fedcba987654321f',
    });
    const replaced = await round(otherPool);
    const lbStep = replaced.plan.find((s) => s.kind === 'LoadBalancer');
    assert.equal(lbStep?.op, 'replace');
    assert.match(
      lbStep.reason,
      /customerOwnedIpv4Pool changed ipv4pool-coip-0123456789abcdef0 → ipv4pool-coip-0fedcba987654321f/,
    );
    assert.equal(
      (await theLoadBalancer()).CustomerOwnedIpv4Pool,
      'ipv4pool-coip-0fedcba987654321f',
    );
    await steady(otherPool);
  });

  it('GIVEN use-regex-path-match and transforms.api WHEN applied THEN the rule matches the regex and rewrites the URL, and the next round plans nothing', async () => {
    const ingress = annotated(
      {
        [`${A}use-regex-path-match`]: 'true',
        [`${A}transforms.api`]:
          '[{"type":"url-rewrite","urlRewriteConfig":{"rewrites":[{"regex":"^/api/v1/(.*)$","replace":"/$1"}]}},{"type":"host-header-rewrite","hostHeaderRewriteConfig":{"rewrites":[{"regex":"^.*$","replace":"api.internal"}]}}]',
      },
      {
        metadata: { namespace: 'shop', name: 'web', annotations: {} },
        spec: {
          ingressClassName: 'alb',
          rules: [
            {
              http: {
                paths: [
                  {
                    path: '/^/api/v[0-9]+/.*$',
                    pathType: 'ImplementationSpecific',
                    backend: { service: { name: 'api', port: { number: 80 } } },
                  },
                ],
              },
            },
          ],
        },
      },
    );
    await round(ingress);
    const lb = await theLoadBalancer();
    const listeners = await ctx.clients.elbv2.send(
      new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }),
    );
    const rules = await ctx.clients.elbv2.send(
      new DescribeRulesCommand({ ListenerArn: listeners.Listeners?.[0]?.ListenerArn ?? '' }),
    );
    const rule = rules.Rules?.find((r) => r.IsDefault !== true);
    assert.ok(rule !== undefined);
    assert.deepEqual(
      rule.Conditions?.find((c) => c.Field === 'path-pattern')?.PathPatternConfig?.RegexValues,
      ['^/api/v[0-9]+/.*$'],
    );
    assert.deepEqual(
      rule.Transforms?.map((t) => [
        t.Type,
        (t.UrlRewriteConfig ?? t.HostHeaderRewriteConfig)?.Rewrites?.[0]?.Replace,
      ]),
      [
        ['url-rewrite', '/$1'],
        ['host-header-rewrite', 'api.internal'],
      ],
    );
    await steady(ingress);
  });

  it('GIVEN --external-managed-tags CostCenter WHEN someone tags the ALB CostCenter out of band THEN a reconcile keeps their value and writes nothing, and an Ingress naming the key is a problem', async () => {
    const external: TranslateConfig = { ...config, externalManagedTags: ['CostCenter'] };
    const tagged = annotated({ [`${A}tags`]: 'team=web' });
    await round(tagged, external);
    const lb = await theLoadBalancer();
    await ctx.clients.elbv2.send(
      new AddTagsCommand({
        ResourceArns: [lb.LoadBalancerArn],
        Tags: [{ Key: 'CostCenter', Value: 'finance' }],
      }),
    );
    await steady(tagged, external);
    const tags = await ctx.clients.elbv2.send(
      new DescribeTagsCommand({ ResourceArns: [lb.LoadBalancerArn] }),
    );
    const found = Object.fromEntries(
      (tags.TagDescriptions?.[0]?.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']),
    );
    assert.equal(found.CostCenter, 'finance');
    assert.equal(found.team, 'web');

    const naming = annotated({ [`${A}tags`]: 'team=web,CostCenter=it' });
    const built = buildStack(group(naming), worldEnv(env), external);
    assert.deepEqual(
      built.problems.map((p) => [p.ingress, p.field, p.value, p.severity]),
      [['shop/web', `${A}tags`, 'CostCenter=it', 'error']],
    );
    // The member is frozen: nothing of it changes, the external value stays.
    const r = await reconcile(ctx, built.stack);
    assert.equal(r.mutating, 0);
  });
});
