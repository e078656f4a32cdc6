import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BackendAccessNeed } from '../../../pkg/plan/index.ts';
import { planBackendAccess, stackNeeds, wantedBackendRules } from '../../../pkg/plan/index.ts';
import { backendRule, stack, targetGroup } from './builders.ts';

const need = (
  securityGroupId: string,
  targetType: 'instance' | 'ip',
  fromPort: number,
  toPort = fromPort,
): BackendAccessNeed => ({ securityGroupId, targetType, fromPort, toPort });

const ids = (needs: readonly BackendAccessNeed[], range?: { from: number; to: number }) =>
  wantedBackendRules(needs, range).map((r) => r.id);

describe('wantedBackendRules: the union of every stack needs', () => {
  const cases: [string, BackendAccessNeed[], string[]][] = [
    ['nothing needed', [], []],
    [
      '80 instance-mode NodePorts of 40 stacks on one node group → one rule for the range',
      Array.from({ length: 80 }, (_, i) => need('sg-nodes', 'instance', 30000 + i * 7)),
      ['backend-rule/sg-nodes/30000-32767'],
    ],
    [
      'a health-check port outside the NodePort range is added on its own',
      [need('sg-nodes', 'instance', 30080), need('sg-nodes', 'instance', 8080)],
      ['backend-rule/sg-nodes/8080-8080', 'backend-rule/sg-nodes/30000-32767'],
    ],
    [
      'two node groups → one range rule on each',
      [need('sg-b', 'instance', 31000), need('sg-a', 'instance', 30080)],
      ['backend-rule/sg-a/30000-32767', 'backend-rule/sg-b/30000-32767'],
    ],
    [
      'ip mode: distinct pod ports stay apart',
      [need('sg-pods', 'ip', 8080), need('sg-pods', 'ip', 9090), need('sg-pods', 'ip', 8080)],
      ['backend-rule/sg-pods/8080-8080', 'backend-rule/sg-pods/9090-9090'],
    ],
    [
      'ip mode: adjacent and overlapping ports merge into one range',
      [
        need('sg-pods', 'ip', 8081),
        need('sg-pods', 'ip', 8080),
        need('sg-pods', 'ip', 8082, 8090),
        need('sg-pods', 'ip', 8085),
      ],
      ['backend-rule/sg-pods/8080-8090'],
    ],
    [
      'ip mode: a pod port inside the NodePort range is not widened',
      [need('sg-pods', 'ip', 30500)],
      ['backend-rule/sg-pods/30500-30500'],
    ],
    [
      'instance and ip needs on one group: the pod port inside the range is absorbed',
      [need('sg-nodes', 'instance', 30080), need('sg-nodes', 'ip', 31000)],
      ['backend-rule/sg-nodes/30000-32767'],
    ],
  ];
  for (const [name, needs, expected] of cases) {
    it(`GIVEN ${name} WHEN unioned THEN the rules are as expected`, () => {
      assert.deepEqual(ids(needs), expected);
    });
  }

  it('GIVEN a custom NodePort range WHEN unioned THEN that range is the rule', () => {
    assert.deepEqual(ids([need('sg-nodes', 'instance', 20100)], { from: 20000, to: 20999 }), [
      'backend-rule/sg-nodes/20000-20999',
    ]);
  });
});

describe('stackNeeds: a stack needs on the groups of its targets', () => {
  it('GIVEN rules whose group is known or resolved from targets WHEN read THEN each names its group and target type', () => {
    const s = stack({
      targetGroups: [targetGroup(), targetGroup({ id: 'shop/web:pods:80', targetType: 'ip' })],
      backendRules: [
        backendRule(),
        backendRule({
          targetGroupId: 'shop/web:pods:80',
          securityGroupId: null,
          fromPort: 8080,
          toPort: 8080,
        }),
      ],
    });

    const needs = stackNeeds(s, (tg) => (tg === 'shop/web:pods:80' ? ['sg-p1', 'sg-p2'] : []));

    assert.deepEqual(needs, [
      need('sg-nodes', 'instance', 30080),
      need('sg-p1', 'ip', 8080),
      need('sg-p2', 'ip', 8080),
    ]);
  });

  it('GIVEN a rule whose targets have no known group yet WHEN read THEN it needs nothing yet', () => {
    const s = stack({ backendRules: [backendRule({ securityGroupId: null })] });
    assert.deepEqual(
      stackNeeds(s, () => []),
      [],
    );
  });
});

describe('planBackendAccess: wanted × found', () => {
  const wanted = wantedBackendRules([
    need('sg-nodes', 'instance', 30080),
    need('sg-pods', 'ip', 8080),
  ]);
  const found = (id: string, sg: string, from: number, to: number) => ({
    id,
    securityGroupId: sg,
    fromPort: from,
    toPort: to,
    securityGroupRuleId: `sgr-${id}`,
  });

  it('GIVEN nothing in AWS WHEN planned THEN every wanted rule is authorized', () => {
    const plan = planBackendAccess(wanted, [], { revoke: true });
    assert.deepEqual(
      plan.authorize.map((r) => r.id),
      ['backend-rule/sg-nodes/30000-32767', 'backend-rule/sg-pods/8080-8080'],
    );
    assert.deepEqual(plan.revoke, []);
  });

  it('GIVEN every wanted rule in AWS WHEN planned THEN nothing changes', () => {
    const plan = planBackendAccess(
      wanted,
      [
        found('backend-rule/sg-nodes/30000-32767', 'sg-nodes', 30000, 32767),
        found('backend-rule/sg-pods/8080-8080', 'sg-pods', 8080, 8080),
      ],
      { revoke: true },
    );
    assert.deepEqual(plan, { authorize: [], revoke: [] });
  });

  it('GIVEN a rule no stack needs any more WHEN planned with revoke THEN it is revoked, and kept without', () => {
    const stale = found('backend-rule/sg-pods/9090-9090', 'sg-pods', 9090, 9090);
    const all = [
      found('backend-rule/sg-nodes/30000-32767', 'sg-nodes', 30000, 32767),
      found('backend-rule/sg-pods/8080-8080', 'sg-pods', 8080, 8080),
      stale,
    ];
    assert.deepEqual(planBackendAccess(wanted, all, { revoke: true }).revoke, [stale]);
    assert.deepEqual(planBackendAccess(wanted, all, { revoke: false }).revoke, []);
  });

  it('GIVEN no stack at all WHEN planned with revoke THEN every rule of ours goes', () => {
    const rule = found('backend-rule/sg-nodes/30000-32767', 'sg-nodes', 30000, 32767);
    assert.deepEqual(planBackendAccess([], [rule], { revoke: true }).revoke, [rule]);
  });
});
