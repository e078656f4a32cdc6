/**
 * iam/policy.json grants exactly the AWS actions the code calls, and its writes are
 * conditioned on our cluster tag wherever AWS lets a policy say so.
 *
 * The action set is read from the code: every SDK command or paginator imported under
 * pkg/ and controller/. test/integration/iam-policy.test.ts checks the same policy
 * against the calls a live reconcile actually makes.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { isMutating } from '../../../pkg/aws/index.ts';
import { TAG_CLUSTER } from '../../../pkg/naming/index.ts';
import {
  actionsInCode,
  describeDifference,
  grantedActions,
  impliedActions,
  loadPolicy,
  neededActions,
  type CodeActions,
  type PolicyStatement,
} from './policy-actions.ts';

/**
 * Writes granted without a condition on our cluster tag, each with why it cannot have
 * one (checked against the Service Authorization Reference: the resource types each
 * action is authorized on, and the condition keys those carry). Anything else that
 * changes something must carry the tag condition, and an action listed here must be
 * granted somewhere without one (no stale excuses).
 */
const unconditionedWrites: Readonly<Record<string, string>> = {
  'iam:CreateServiceLinkedRole': 'conditioned on the service name instead',
  'ec2:CreateSecurityGroup':
    'the VPC resource of the call is the cluster’s, never ours; the security-group resource is conditioned',
  'ec2:AuthorizeSecurityGroupIngress':
    'backend rules go on the node and pod security groups, which belong to the cluster, not to us',
  'ec2:RevokeSecurityGroupIngress': 'as AuthorizeSecurityGroupIngress',
  'elasticloadbalancing:RegisterTargets':
    'a TargetGroupBinding names a target group the user created, without our tags',
  'elasticloadbalancing:DeregisterTargets': 'as RegisterTargets',
  'wafv2:AssociateWebACL':
    'AWS authorizes it on the web ACL (the user’s, no tag of ours) and on the load balancer with no condition keys; the Resource is narrowed to ALBs and web ACLs',
  'wafv2:DisassociateWebACL': 'as wafv2:AssociateWebACL',
  'waf-regional:AssociateWebACL': 'as wafv2:AssociateWebACL',
  'waf-regional:DisassociateWebACL': 'as wafv2:AssociateWebACL',
  'elasticloadbalancing:SetWebAcl':
    'a permission-only action with no resource type and no condition key; implied by the web ACL associations',
  'shield:CreateProtection':
    'no resource type; only the request’s tags can be tested and we create protections untagged, so the protected load balancer’s tags are never seen',
  'shield:DeleteProtection':
    'authorized on the protection, which we do not tag; the Resource is narrowed to protections',
};

/** Writes that must be refused unless the request carries our cluster tag. */
const createsRequiringOurTag = [
  'elasticloadbalancing:CreateLoadBalancer',
  'elasticloadbalancing:CreateTargetGroup',
  'ec2:CreateSecurityGroup',
];

/** Writes that must be refused on a resource without our cluster tag. */
const changesRequiringOurTag = [
  'elasticloadbalancing:DeleteLoadBalancer',
  'elasticloadbalancing:DeleteTargetGroup',
  'elasticloadbalancing:ModifyLoadBalancerAttributes',
  'elasticloadbalancing:ModifyTargetGroup',
  'elasticloadbalancing:ModifyTargetGroupAttributes',
  'elasticloadbalancing:SetSecurityGroups',
  'elasticloadbalancing:SetSubnets',
  'elasticloadbalancing:SetIpAddressType',
  'elasticloadbalancing:ModifyCapacityReservation',
  'elasticloadbalancing:ModifyIpPools',
  'ec2:DeleteSecurityGroup',
  // Listener and rule ARNs carry our tags (every listener and rule is created with them).
  'elasticloadbalancing:ModifyListener',
  'elasticloadbalancing:DeleteListener',
  'elasticloadbalancing:ModifyListenerAttributes',
  'elasticloadbalancing:AddListenerCertificates',
  'elasticloadbalancing:RemoveListenerCertificates',
  'elasticloadbalancing:ModifyRule',
  'elasticloadbalancing:DeleteRule',
  'elasticloadbalancing:SetRulePriorities',
];

/**
 * Creates authorized on the parent (CreateListener on the load balancer, CreateRule on
 * the listener): the parent must be ours and the request must carry our tag.
 */
const childCreatesRequiringOurTags = [
  'elasticloadbalancing:CreateListener',
  'elasticloadbalancing:CreateRule',
];

const requestTag = `aws:RequestTag/${TAG_CLUSTER}`;
const resourceTag = `aws:ResourceTag/${TAG_CLUSTER}`;

function operation(action: string): string {
  return action.slice(action.indexOf(':') + 1);
}

/** The tag keys a statement's conditions test (`aws:RequestTag/K`, `aws:ResourceTag/K`). */
function conditionTagKeys(s: PolicyStatement): string[] {
  return Object.values(s.Condition ?? {}).flatMap((byKey) =>
    Object.keys(byKey).filter((k) => /^aws:(Request|Resource)Tag\//.test(k)),
  );
}

/** `Null: { key: 'false' }`: the key must be present. */
function requiresPresent(s: PolicyStatement, key: string): boolean {
  return s.Condition?.Null?.[key] === 'false';
}

describe('iam/policy.json', () => {
  let statements: readonly PolicyStatement[];
  let code: CodeActions;
  before(async () => {
    statements = await loadPolicy();
    code = await actionsInCode();
  });

  it('grants exactly the actions the code calls, and no other', () => {
    // GIVEN the SDK commands imported by the code, plus what AWS checks on their behalf
    const needed = neededActions(code.actions.keys());
    const granted = grantedActions(statements);
    // THEN each is granted, and nothing else is
    const missing = [...needed].filter((a) => !granted.has(a)).sort();
    const unused = [...granted].filter((a) => !needed.has(a)).sort();
    assert.ok(
      missing.length === 0 && unused.length === 0,
      `\n${describeDifference(missing, unused, code.actions)}`,
    );
  });

  it('knows what every SDK import of the code calls', () => {
    assert.deepEqual(code.unknown, [], 'extend operationOf in test/unit/iam/policy-actions.ts');
    // A scanner that finds nothing would pass the test above with an empty policy.
    for (const known of [
      'elasticloadbalancing:CreateLoadBalancer',
      'elasticloadbalancing:SetRulePriorities',
      'ec2:DescribeSubnets',
      'tag:GetResources',
    ]) {
      assert.ok(code.actions.has(known), `the scan of pkg/ and controller/ missed ${known}`);
    }
  });

  it('names no action by wildcard and only allows', () => {
    for (const s of statements) {
      assert.equal(s.Effect, 'Allow', s.Sid);
      for (const a of s.Action)
        assert.match(a, /^[a-z0-9-]+:[A-Za-z0-9]+$/, `${s.Sid ?? ''}: ${a}`);
    }
  });

  it('conditions tags on our cluster tag key only', () => {
    const keys = new Set(statements.flatMap(conditionTagKeys));
    assert.deepEqual([...keys].sort(), [requestTag, resourceTag].sort());
  });

  it('creates load balancers, target groups and security groups only with our cluster tag', () => {
    for (const action of createsRequiringOurTag) {
      const granting = statements.filter(
        (s) => s.Action.includes(action) && !s.Resource.every((r) => r.endsWith(':vpc/*')),
      );
      assert.ok(granting.length > 0, `${action} is not granted`);
      for (const s of granting) {
        assert.ok(
          requiresPresent(s, requestTag),
          `${s.Sid ?? action}: needs Null ${requestTag}=false`,
        );
      }
    }
  });

  it('tags on create only requests that carry our cluster tag', () => {
    for (const s of statements) {
      const createAction =
        s.Condition?.StringEquals?.['ec2:CreateAction'] ??
        s.Condition?.StringEquals?.['elasticloadbalancing:CreateAction'];
      if (createAction === undefined) continue;
      assert.ok(requiresPresent(s, requestTag), `${s.Sid ?? ''}: tag-on-create without our tag`);
    }
  });

  it('changes or deletes load balancers, target groups, security groups, listeners and rules only when they carry our cluster tag', () => {
    for (const action of changesRequiringOurTag) {
      const granting = statements.filter((s) => s.Action.includes(action));
      assert.ok(granting.length > 0, `${action} is not granted`);
      for (const s of granting) {
        assert.ok(
          requiresPresent(s, resourceTag),
          `${s.Sid ?? action}: needs Null ${resourceTag}=false`,
        );
      }
    }
  });

  it('creates listeners and rules only under our own load balancers and listeners, with our tag', () => {
    for (const action of childCreatesRequiringOurTags) {
      const granting = statements.filter((s) => s.Action.includes(action));
      assert.ok(granting.length > 0, `${action} is not granted`);
      for (const s of granting) {
        assert.ok(requiresPresent(s, resourceTag), `${s.Sid ?? action}: parent needs our tag`);
        assert.ok(requiresPresent(s, requestTag), `${s.Sid ?? action}: request needs our tag`);
      }
    }
  });

  it('tags a resource only on its creation with our tag, or when it already carries our tag', () => {
    // AddTags is also what AWS checks for the Tags of CreateListener and CreateRule: a
    // tag-on-create statement must name those create actions, or creating would be refused.
    const addTags = statements.filter((s) => s.Action.includes('elasticloadbalancing:AddTags'));
    assert.ok(addTags.length > 0);
    const onCreate = new Set<string>();
    for (const s of addTags) {
      const creates = s.Condition?.StringEquals?.['elasticloadbalancing:CreateAction'];
      if (creates !== undefined) {
        assert.ok(requiresPresent(s, requestTag), `${s.Sid ?? ''}: tag-on-create without our tag`);
        for (const c of [creates].flat()) onCreate.add(c);
      } else {
        assert.ok(requiresPresent(s, resourceTag), `${s.Sid ?? ''}: retags what is not ours`);
      }
      for (const kind of ['listener/app/', 'listener-rule/app/']) {
        assert.ok(
          s.Resource.some((r) => r.includes(`:${kind}`)),
          `${s.Sid ?? ''}: ${kind} ARNs are missing`,
        );
      }
    }
    for (const create of [
      'CreateLoadBalancer',
      'CreateTargetGroup',
      ...childCreatesRequiringOurTags,
    ])
      assert.ok(onCreate.has(operation(create)), `no tag-on-create for ${create}`);
  });

  it('conditions every other write on our tag unless a reason says why it cannot be', () => {
    const unexplained: string[] = [];
    for (const s of statements) {
      if (conditionTagKeys(s).length > 0) continue;
      for (const a of s.Action) {
        if (isMutating(operation(a)) && unconditionedWrites[a] === undefined) {
          unexplained.push(`${s.Sid ?? '?'}: ${a}`);
        }
      }
    }
    assert.deepEqual(unexplained, []);
    const granted = grantedActions(statements);
    const stale = Object.keys(unconditionedWrites).filter((a) => !granted.has(a));
    assert.deepEqual(stale, [], 'reasons for actions the policy no longer grants');
    // An action excused here must really be granted somewhere without a tag condition.
    const unconditioned = new Set(
      statements.filter((s) => conditionTagKeys(s).length === 0).flatMap((s) => s.Action),
    );
    const needlesslyExcused = Object.keys(unconditionedWrites).filter((a) => !unconditioned.has(a));
    assert.deepEqual(needlesslyExcused, [], 'excuses for actions that are conditioned');
  });

  it('leaves reads unconditioned: AWS cannot condition Describe* on tags', () => {
    for (const s of statements) {
      const reads = s.Action.filter((a) => !isMutating(operation(a)));
      if (reads.length === 0) continue;
      assert.equal(s.Condition, undefined, `${s.Sid ?? ''} conditions reads ${reads.join(', ')}`);
      assert.deepEqual(s.Resource, ['*'], `${s.Sid ?? ''}: reads need Resource *`);
    }
  });

  it('has a reason for every implied action', () => {
    for (const [action, { by, why }] of Object.entries(impliedActions)) {
      assert.ok(why.length > 10 && by.length > 0, action);
    }
  });
});
