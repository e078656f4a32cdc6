/**
 * A write whose answer was lost: the SDK retries a call that reached AWS but whose answer
 * never came back (connection reset, timeout, 5xx), so its second attempt meets the first
 * one's effect. For the writes that are not idempotent on AWS that attempt fails —
 * PriorityInUse, InvalidGroup.Duplicate, InvalidPermission.Duplicate/NotFound — and apply
 * must see its own effect in it, not a conflict. The emulator cannot lose an answer, so
 * the fakes here apply the first attempt and answer what the SDK's retry would get.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import type { IpPermission } from '@aws-sdk/client-ec2';
import {
  CreateRuleCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  SetRulePrioritiesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Action, Rule, RuleCondition } from '@aws-sdk/client-elastic-load-balancing-v2';
import { applyRule, applyRulePriority } from '../../../pkg/deploy/apply-rules.ts';
import { applySecurityGroup } from '../../../pkg/deploy/apply-security-groups.ts';
import { syncBindingRules } from '../../../pkg/deploy/binding-networking.ts';
import type { DeployContext } from '../../../pkg/deploy/index.ts';
import { ApplyState } from '../../../pkg/deploy/resolve.ts';
import type { ListenerRule, SecurityGroup } from '../../../pkg/model/index.ts';

const CLUSTER = 'c1';
const STACK = 'shop/web';
const LISTENER = 'arn:aws:elasticloadbalancing:us-east-1:1:listener/app/lb/1/80';
const TG = 'arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/k8s-shop-api/1';
const ourTags = (resource: string) => ({
  'albatross.dev/cluster': CLUSTER,
  'albatross.dev/stack': STACK,
  'albatross.dev/resource': resource,
});

function sdkError(name: string): Error {
  const err = new Error(`${name} (injected)`);
  err.name = name;
  return Object.assign(err, { $metadata: { httpStatusCode: 400 } });
}

type Tags = Record<string, string>;

const tagMap = (
  tags: readonly { Key?: string | undefined; Value?: string | undefined }[] | undefined,
): Tags =>
  Object.fromEntries((tags ?? []).map((t): [string, string] => [t.Key ?? '', t.Value ?? '']));

interface StoredRule {
  arn: string;
  priority: number;
  conditions: RuleCondition[];
  actions: Action[];
  tags: Tags;
}

/** One listener's rules as ELBv2 keeps them; `loseNext` makes the next write's answer lost. */
function fakeElbv2(rules: StoredRule[] = []) {
  const sent: string[] = [];
  let loseNext = true;
  const elbv2 = {
    send(command: unknown): Promise<unknown> {
      sent.push((command as { constructor: { name: string } }).constructor.name);
      if (command instanceof CreateRuleCommand) {
        const input = command.input;
        if (rules.some((r) => r.priority === input.Priority)) {
          return Promise.reject(sdkError('PriorityInUseException'));
        }
        const arn = `${LISTENER.replace(':listener/', ':listener-rule/')}/${rules.length + 1}`;
        rules.push({
          arn,
          priority: input.Priority ?? 0,
          conditions: input.Conditions ?? [],
          actions: input.Actions ?? [],
          tags: tagMap(input.Tags),
        });
        if (loseNext) {
          // Applied; the answer never came; the SDK's retry meets the rule it made.
          loseNext = false;
          return Promise.reject(sdkError('PriorityInUseException'));
        }
        return Promise.resolve({ Rules: [{ RuleArn: arn }] });
      }
      if (command instanceof SetRulePrioritiesCommand) {
        const [move] = command.input.RulePriorities ?? [];
        if (rules.some((r) => r.priority === move?.Priority)) {
          return Promise.reject(sdkError('PriorityInUseException'));
        }
        const rule = rules.find((r) => r.arn === move?.RuleArn);
        if (rule !== undefined) rule.priority = move?.Priority ?? 0;
        if (loseNext) {
          loseNext = false;
          return Promise.reject(sdkError('PriorityInUseException'));
        }
        return Promise.resolve({});
      }
      if (command instanceof DescribeRulesCommand) {
        const described: Rule[] = rules.map((r) => ({
          RuleArn: r.arn,
          Priority: String(r.priority),
          Conditions: r.conditions,
          Actions: r.actions,
          IsDefault: false,
        }));
        return Promise.resolve({ Rules: described });
      }
      if (command instanceof DescribeTagsCommand) {
        return Promise.resolve({
          TagDescriptions: (command.input.ResourceArns ?? []).map((arn) => ({
            ResourceArn: arn,
            Tags: Object.entries(rules.find((r) => r.arn === arn)?.tags ?? {}).map(
              ([Key, Value]) => ({ Key, Value }),
            ),
          })),
        });
      }
      return Promise.reject(new Error(`not faked: ${sent.at(-1) ?? ''}`));
    },
  };
  return { elbv2, rules, sent };
}

function context(clients: object): DeployContext {
  return { clusterName: CLUSTER, vpcId: 'vpc-1', clients } as unknown as DeployContext;
}

function stateWithListener(): ApplyState {
  const state = new ApplyState(null);
  state.listeners.set('listener/80', LISTENER);
  state.targetGroups.set('tg/shop/web/api:80', TG);
  return state;
}

const rule: ListenerRule = {
  id: 'rule/80/shop/web/abc',
  listenerId: 'listener/80',
  priority: 3,
  member: 'shop/web',
  conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } }],
  actions: [
    { Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupId: 'tg/shop/web/api:80' }] } },
  ],
  transforms: [],
  tags: ourTags('rule/80/shop/web/abc'),
};

const createRule: Parameters<typeof applyRule>[2] = {
  op: 'create',
  kind: 'ListenerRule',
  step: 'create',
  id: rule.id,
  reason: 'new',
  desired: rule,
};

describe('deploy: a write that meets its own effect', () => {
  it('GIVEN CreateRule applied but its answer lost WHEN the retry answers PriorityInUse THEN the rule it made is used, nothing is created twice', async () => {
    const aws = fakeElbv2();
    const state = stateWithListener();
    await applyRule(context({ elbv2: aws.elbv2 }), state, createRule);
    assert.equal(aws.rules.length, 1);
    assert.equal(state.rules.get(rule.id), aws.rules[0]?.arn);
    assert.equal(aws.sent.filter((c) => c === 'CreateRuleCommand').length, 1);
  });

  it('GIVEN the priority is held by a rule we do not own WHEN CreateRule answers PriorityInUse THEN it fails at once naming that rule, not after blind retries', async () => {
    const foreign = `${LISTENER.replace(':listener/', ':listener-rule/')}/theirs`;
    const aws = fakeElbv2([
      {
        arn: foreign,
        priority: 3,
        conditions: [{ Field: 'path-pattern', Values: ['/admin'] }],
        actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '403' } }],
        tags: {},
      },
    ]);
    await assert.rejects(
      applyRule(context({ elbv2: aws.elbv2 }), stateWithListener(), createRule),
      (err: Error) => {
        assert.equal(err.name, 'DeployError');
        assert.match(err.message, /priority 3 of listener .* is held by rule .*\/theirs/);
        assert.match(err.message, /never changes a rule it does not own/);
        return true;
      },
    );
    assert.equal(aws.sent.filter((c) => c === 'CreateRuleCommand').length, 1);
    assert.equal(aws.rules.length, 1);
  });

  it('GIVEN a rule of this stack with other content at the priority WHEN CreateRule answers PriorityInUse THEN a retryable error says the plan was stale', async () => {
    const aws = fakeElbv2([
      {
        arn: `${LISTENER.replace(':listener/', ':listener-rule/')}/other`,
        priority: 3,
        conditions: [{ Field: 'path-pattern', Values: ['/other'] }],
        actions: [{ Type: 'forward', TargetGroupArn: TG }],
        tags: ourTags('rule/80/shop/web/other'),
      },
    ]);
    await assert.rejects(
      applyRule(context({ elbv2: aws.elbv2 }), stateWithListener(), createRule),
      { name: 'AwsError', code: 'PriorityInUse', retryable: true },
    );
    assert.equal(aws.sent.filter((c) => c === 'CreateRuleCommand').length, 1);
  });

  it('GIVEN SetRulePriorities applied but its answer lost WHEN the retry answers PriorityInUse THEN the move is done', async () => {
    const arn = `${LISTENER.replace(':listener/', ':listener-rule/')}/1`;
    const aws = fakeElbv2([
      { arn, priority: 5, conditions: [], actions: [], tags: ourTags(rule.id) },
    ]);
    await applyRulePriority(context({ elbv2: aws.elbv2 }), stateWithListener(), {
      op: 'update',
      kind: 'ListenerRule',
      step: 'set-priority',
      id: rule.id,
      reason: 'move',
      fields: ['priority'],
      actual: { ...rule, arn, priority: 5 },
      from: 5,
      to: 2,
    });
    assert.equal(aws.rules[0]?.priority, 2);
    assert.equal(aws.sent.filter((c) => c === 'SetRulePrioritiesCommand').length, 1);
  });
});

interface StoredGroup {
  id: string;
  name: string;
  tags: Tags;
  permissions: IpPermission[];
}

const permissionKey = (p: IpPermission) =>
  `${p.IpProtocol ?? ''}/${p.FromPort ?? ''}/${p.IpRanges?.[0]?.CidrIp ?? ''}`;

/** EC2 security groups; the next write's answer is lost (applied, then the retry's answer). */
function fakeEc2(groups: StoredGroup[] = []) {
  const sent: string[] = [];
  let loseNext = true;
  const lose = (code: string) => {
    if (!loseNext) return Promise.resolve({});
    loseNext = false;
    return Promise.reject(sdkError(code));
  };
  const ec2 = {
    send(command: unknown): Promise<unknown> {
      sent.push((command as { constructor: { name: string } }).constructor.name);
      if (command instanceof CreateSecurityGroupCommand) {
        const name = command.input.GroupName ?? '';
        if (groups.some((g) => g.name === name)) {
          return Promise.reject(sdkError('InvalidGroup.Duplicate'));
        }
        const tags = command.input.TagSpecifications?.[0]?.Tags ?? [];
        groups.push({
          id: `sg-${groups.length + 1}`,
          name,
          tags: tagMap(tags),
          permissions: [],
        });
        loseNext = false;
        return Promise.reject(sdkError('InvalidGroup.Duplicate'));
      }
      if (command instanceof DescribeSecurityGroupsCommand) {
        const names = command.input.Filters?.find((f) => f.Name === 'group-name')?.Values ?? [];
        return Promise.resolve({
          SecurityGroups: groups
            .filter((g) => names.includes(g.name))
            .map((g) => ({
              GroupId: g.id,
              GroupName: g.name,
              Tags: Object.entries(g.tags).map(([Key, Value]) => ({ Key, Value })),
            })),
        });
      }
      if (command instanceof AuthorizeSecurityGroupIngressCommand) {
        const group = groups.find((g) => g.id === command.input.GroupId);
        const asked = command.input.IpPermissions ?? [];
        const have = new Set(group?.permissions.map(permissionKey));
        // EC2 refuses the whole call when one permission exists, and adds nothing.
        if (asked.some((p) => have.has(permissionKey(p)))) {
          return Promise.reject(sdkError('InvalidPermission.Duplicate'));
        }
        group?.permissions.push(...asked);
        return lose('InvalidPermission.Duplicate');
      }
      if (command instanceof RevokeSecurityGroupIngressCommand) {
        const group = groups.find((g) => g.id === command.input.GroupId);
        const asked = (command.input.IpPermissions ?? []).map(permissionKey);
        const have = new Set(group?.permissions.map(permissionKey));
        if (asked.some((k) => !have.has(k))) {
          return Promise.reject(sdkError('InvalidPermission.NotFound'));
        }
        if (group !== undefined) {
          group.permissions = group.permissions.filter((p) => !asked.includes(permissionKey(p)));
        }
        return lose('InvalidPermission.NotFound');
      }
      if (command instanceof DescribeSecurityGroupRulesCommand) {
        return Promise.resolve({ SecurityGroupRules: [] });
      }
      return Promise.reject(new Error(`not faked: ${sent.at(-1) ?? ''}`));
    },
  };
  return { ec2, groups, sent };
}

const frontend: SecurityGroup = {
  id: 'sg/frontend',
  name: 'k8s-shop-web-0123456789',
  description: '[albatross] frontend of shop/web',
  ingress: [
    { protocol: 'tcp', fromPort: 80, toPort: 80, cidrIpv4: '0.0.0.0/0' },
    { protocol: 'tcp', fromPort: 443, toPort: 443, cidrIpv4: '0.0.0.0/0' },
  ],
  tags: ourTags('sg/frontend'),
};

describe('deploy: security group writes that meet their own effect', () => {
  it('GIVEN CreateSecurityGroup applied but its answer lost WHEN the retry answers InvalidGroup.Duplicate THEN our group is found by name and used', async () => {
    const aws = fakeEc2();
    const state = new ApplyState(null);
    await applySecurityGroup(context({ ec2: aws.ec2 }), state, {
      op: 'create',
      kind: 'SecurityGroup',
      step: 'create',
      id: frontend.id,
      reason: 'new',
      desired: frontend,
    });
    assert.equal(aws.groups.length, 1);
    assert.equal(state.securityGroups.get(frontend.id), 'sg-1');
    assert.deepEqual(aws.groups[0]?.permissions.map(permissionKey), [
      'tcp/80/0.0.0.0/0',
      'tcp/443/0.0.0.0/0',
    ]);
  });

  it('GIVEN a group of that name we do not own WHEN CreateSecurityGroup answers InvalidGroup.Duplicate THEN it fails naming the group and why, touching nothing', async () => {
    const aws = fakeEc2([{ id: 'sg-theirs', name: frontend.name, tags: {}, permissions: [] }]);
    await assert.rejects(
      applySecurityGroup(context({ ec2: aws.ec2 }), new ApplyState(null), {
        op: 'create',
        kind: 'SecurityGroup',
        step: 'create',
        id: frontend.id,
        reason: 'new',
        desired: frontend,
      }),
      (err: Error) => {
        assert.equal(err.name, 'DeployError');
        assert.match(
          err.message,
          /security group "k8s-shop-web-0123456789" in vpc-1 \(sg-theirs\)/,
        );
        assert.match(err.message, /does not carry the ownership tags/);
        return true;
      },
    );
    assert.deepEqual(aws.groups[0]?.permissions, []);
    assert.ok(!aws.sent.includes('AuthorizeSecurityGroupIngressCommand'));
  });

  const existing = (permissions: IpPermission[]): StoredGroup[] => [
    { id: 'sg-1', name: frontend.name, tags: frontend.tags, permissions },
  ];
  const actualFrontend = { ...frontend, groupId: 'sg-1', ingress: [] };
  /** An ingress update of the frontend group: `authorize` added, `revoke` taken away. */
  const ingressUpdate = (
    authorize: SecurityGroup['ingress'],
    revoke: SecurityGroup['ingress'],
  ): Parameters<typeof applySecurityGroup>[2] => ({
    op: 'update',
    kind: 'SecurityGroup',
    step: 'update',
    id: frontend.id,
    reason: 'ingress',
    fields: ['ingress'],
    desired: { ...frontend, ingress: authorize.length > 0 ? frontend.ingress : [] },
    actual: { ...actualFrontend, ingress: revoke },
    authorize,
    revoke,
  });

  it('GIVEN AuthorizeSecurityGroupIngress applied but its answer lost WHEN the retry answers InvalidPermission.Duplicate THEN the update succeeds', async () => {
    const aws = fakeEc2(existing([]));
    await applySecurityGroup(
      context({ ec2: aws.ec2 }),
      new ApplyState(null),
      ingressUpdate(frontend.ingress, []),
    );
    assert.equal(aws.groups[0]?.permissions.length, 2);
  });

  it('GIVEN one of two permissions already there WHEN EC2 refuses the batch as a duplicate THEN the other is still authorized', async () => {
    const aws = fakeEc2(
      existing([
        { IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
      ]),
    );
    await applySecurityGroup(
      context({ ec2: aws.ec2 }),
      new ApplyState(null),
      ingressUpdate(frontend.ingress, []),
    );
    assert.deepEqual(aws.groups[0]?.permissions.map(permissionKey).sort(), [
      'tcp/443/0.0.0.0/0',
      'tcp/80/0.0.0.0/0',
    ]);
  });

  it('GIVEN RevokeSecurityGroupIngress applied but its answer lost WHEN the retry answers InvalidPermission.NotFound THEN the update succeeds', async () => {
    const aws = fakeEc2(
      existing([
        { IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
      ]),
    );
    await applySecurityGroup(
      context({ ec2: aws.ec2 }),
      new ApplyState(null),
      ingressUpdate([], frontend.ingress.slice(0, 1)),
    );
    assert.deepEqual(aws.groups[0]?.permissions, []);
  });

  it('GIVEN a binding rule authorized but its answer lost WHEN the retry answers InvalidPermission.Duplicate THEN the sync succeeds (the check sees through the retry wrapper)', async () => {
    const aws = fakeEc2(existing([]));
    const result = await syncBindingRules(
      context({ ec2: aws.ec2 }),
      'binding/shop/web',
      ['sg-1'],
      [{ protocol: 'tcp', fromPort: 8080, toPort: 8080, cidr: '10.0.0.0/16' }],
    );
    assert.equal(result.revoked, 0);
    assert.equal(aws.groups[0]?.permissions.length, 1);
  });
});
