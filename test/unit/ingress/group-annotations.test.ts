import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseGroupName, parseGroupOrder } from '../../../pkg/ingress/index.ts';

describe('group.name', () => {
  for (const good of ['a', 'team-a', 'team.a.prod', '0', 'a'.repeat(63)]) {
    it(`accepts ${JSON.stringify(good)}`, () => {
      assert.deepEqual(parseGroupName('default/app', good), { ok: true, value: good });
    });
  }
  for (const bad of ['', 'Team', '-a', 'a-', 'a_b', 'a/b', 'a'.repeat(64)]) {
    it(`rejects ${JSON.stringify(bad)} naming the annotation, the value and the rule`, () => {
      const got = parseGroupName('default/app', bad);
      assert.equal(got.ok, false);
      assert.equal(got.problem.field, 'alb.ingress.kubernetes.io/group.name');
      assert.equal(got.problem.value, bad);
      assert.equal(got.problem.ingress, 'default/app');
      assert.equal(got.problem.severity, 'error');
      assert.match(got.problem.message, /63 characters/);
    });
  }
  it('absent means the Ingress is its own group', () => {
    assert.deepEqual(parseGroupName('default/app', undefined), { ok: true, value: undefined });
  });
});

describe('group.order', () => {
  const good = [
    ['0', 0],
    ['10', 10],
    ['-1000', -1000],
    ['1000', 1000],
    ['+5', 5],
    ['-0', 0],
  ] as const;
  for (const [raw, want] of good) {
    it(`reads ${raw} as ${want}`, () => {
      assert.deepEqual(parseGroupOrder('default/app', raw), { ok: true, value: want });
    });
  }
  for (const bad of ['1001', '-1001', '1.5', 'first', '', '99999999999']) {
    it(`rejects ${JSON.stringify(bad)} with the allowed range`, () => {
      const got = parseGroupOrder('default/app', bad);
      assert.equal(got.ok, false);
      assert.equal(got.problem.field, 'alb.ingress.kubernetes.io/group.order');
      assert.equal(got.problem.value, bad);
      assert.match(got.problem.message, /-1000 to 1000/);
    });
  }
  it('absent is 0', () => {
    assert.deepEqual(parseGroupOrder('default/app', undefined), { ok: true, value: 0 });
  });
});
