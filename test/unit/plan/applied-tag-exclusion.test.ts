/**
 * The bookkeeping tag `albatross.dev/applied` is written on a load balancer after a plan;
 * it must never cause one. The planner compares tags by the desired stack's keys, and
 * that key is excluded by a rule of its own, whatever a desired stack holds.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TAG_APPLIED, resourceTags } from '../../../pkg/naming/index.ts';
import { differingTags, planChanges } from '../../../pkg/plan/index.ts';
import { asApplied, loadBalancer, stack, summary } from './builders.ts';

describe('the applied tag is not drift', () => {
  it('GIVEN the load balancer carries the applied tag WHEN planning THEN nothing is planned', () => {
    const desired = stack({ backendRules: [] });
    const applied = asApplied(desired);
    const lb = applied.loadBalancer;
    assert.ok(lb !== null);
    const actual = {
      ...applied,
      loadBalancer: { ...lb, tags: { ...lb.tags, [TAG_APPLIED]: 'v1 x' } },
    };
    assert.deepEqual(summary(planChanges(desired, actual)), []);
  });

  it('GIVEN a desired stack that names the applied tag (built by hand) WHEN planning THEN no tag update is planned', () => {
    const lb = loadBalancer();
    const desired = stack({
      backendRules: [],
      loadBalancer: { ...lb, tags: { ...lb.tags, [TAG_APPLIED]: 'wanted' } },
    });
    const applied = asApplied(stack({ backendRules: [] }));
    assert.deepEqual(summary(planChanges(desired, applied)), []);
  });

  it('GIVEN another tag differs as well WHEN comparing tags THEN only that one is reported', () => {
    assert.deepEqual(
      differingTags({ team: 'a', [TAG_APPLIED]: 'x' }, { team: 'b', [TAG_APPLIED]: 'y' }),
      ['team'],
    );
  });

  it('GIVEN a user tag of the applied key WHEN the resource tags are built THEN it is dropped', () => {
    const tags = resourceTags(
      { cluster: 'c', stack: 's', resource: 'LoadBalancer' },
      { [TAG_APPLIED]: 'forged', team: 'web' },
    );
    assert.equal(tags[TAG_APPLIED], undefined);
    assert.equal(tags.team, 'web');
  });
});
