/**
 * ALB quotas the plan enforces before AWS would refuse them: 100 target groups per ALB
 * (a member that would pass it is frozen, its neighbours build). One host-header and one
 * path-pattern condition per rule: see match-conditions.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildStack } from '../../../pkg/translate/index.ts';
import { config, env, group, ingress, path, rule, service } from './fixtures.ts';

const A = 'alb.ingress.kubernetes.io/';
const services = Array.from({ length: 101 }, (_, i) =>
  service(`default/s${i}`, [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30000 + i }]),
);
const world = env(services);

/** A forward action splitting traffic over five Services, from s`first` on. */
function fiveWay(first: number): string {
  const targetGroups = Array.from({ length: 5 }, (_, i) => ({
    serviceName: `s${first + i}`,
    servicePort: 80,
    weight: 1,
  }));
  return JSON.stringify({ type: 'forward', forwardConfig: { targetGroups } });
}

describe('target groups per ALB', () => {
  // 20 rules forwarding to 5 Services each: 100 target groups with only 20 rules, so the
  // rule quota (100) is not what stops the next member.
  const annotations: Record<string, string> = {};
  const paths = [];
  for (let i = 0; i < 20; i++) {
    annotations[`${A}actions.fan${i}`] = fiveWay(i * 5);
    paths.push(path(`/fan${i}`, `fan${i}`, 'use-annotation'));
  }
  const full = ingress('default/full', { rules: [rule(undefined, ...paths)] }, annotations);

  it('GIVEN a member bringing the ALB to exactly 100 target groups THEN it builds', () => {
    const { stack, problems } = buildStack(group('shared', [[full]]), world, config);
    assert.equal(stack.targetGroups.length, 100);
    assert.deepEqual(stack.frozenMembers, []);
    assert.deepEqual(problems, []);
  });

  it('GIVEN a later member adding the 101st THEN that member is frozen with the limit named, the first kept', () => {
    const extra = ingress('default/extra', { rules: [rule(undefined, path('/x', 's100', 80))] });
    const { stack, problems } = buildStack(
      group('shared', [
        [full, 1],
        [extra, 2],
      ]),
      world,
      config,
    );
    assert.deepEqual(stack.frozenMembers, ['default/extra']);
    assert.equal(stack.targetGroups.length, 100);
    assert.ok(stack.targetGroups.every((t) => t.member === 'default/full'));
    const mine = problems.filter((p) => p.ingress === 'default/extra');
    assert.equal(mine.length, 1);
    const [only] = mine;
    assert.ok(only !== undefined);
    assert.equal(only.field, 'spec.rules');
    assert.match(only.message, /adds 1 target groups to the 100 .*at most 100/);
  });
});

describe('rules per ALB with a frozen member', () => {
  const paths = (prefix: string, n: number) =>
    Array.from({ length: n }, (_, i) => path(`/${prefix}${i}`, 's0', 80));
  // Frozen by one bad path: its 60 good rules stay in AWS as they are.
  const frozen = ingress('default/frozen', {
    rules: [rule(undefined, ...paths('f', 60), path('/bad', 's0', 80, 'Regex'))],
  });

  it('GIVEN a frozen member holding 60 rules THEN a member adding 50 is refused, the frozen rules named in the count', () => {
    const live = ingress('default/live', { rules: [rule(undefined, ...paths('l', 50))] });
    const { stack, problems } = buildStack(
      group('shared', [
        [frozen, 1],
        [live, 2],
      ]),
      world,
      config,
    );
    assert.deepEqual(stack.frozenMembers, ['default/frozen', 'default/live']);
    const mine = problems.filter((p) => p.ingress === 'default/live');
    assert.equal(mine.length, 1);
    assert.match(
      mine[0]?.message ?? '',
      /adds 50 listener rules to the 0 of the members before it and the 60 frozen members keep in AWS; an ALB allows at most 100/,
    );
  });

  it('GIVEN the same frozen member THEN a member adding 40 still builds', () => {
    const live = ingress('default/live', { rules: [rule(undefined, ...paths('l', 40))] });
    const { stack } = buildStack(
      group('shared', [
        [frozen, 1],
        [live, 2],
      ]),
      world,
      config,
    );
    assert.deepEqual(stack.frozenMembers, ['default/frozen']);
    assert.equal(stack.rules.length, 40);
  });
});
