/**
 * Which of several resources found for one stack resource discovery keeps (the one in
 * use), and that everything else is reported as a duplicate rather than dropped. The
 * reads around it are tested live in test/integration/k8s/duplicates.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReadListener, ReadLoadBalancer } from '../../../pkg/deploy/discover-load-balancer.ts';
import {
  forwardedArns,
  keepListener,
  keepLoadBalancer,
  keepRule,
  keepSecurityGroup,
  keepTargetGroup,
  splitDuplicates,
} from '../../../pkg/deploy/duplicates.ts';

function readListener(arn: string, rules: number): ReadListener {
  return {
    listener: { ListenerArn: arn, Port: 80 },
    arn,
    id: 'listener/80',
    attributes: {},
    certificates: [],
    tags: {},
    rules: Array.from({ length: rules }, (_, i) => ({
      rule: { RuleArn: `${arn}/rule-${String(i)}`, Priority: String(i + 1) },
      arn: `${arn}/rule-${String(i)}`,
      id: `rule/${String(i)}`,
      tags: {},
    })),
  };
}

function readLb(
  name: string,
  options: { created: string; listeners?: readonly ReadListener[] },
): ReadLoadBalancer {
  const arn = `arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/${name}/1`;
  return {
    lb: {
      LoadBalancerArn: arn,
      DNSName: `${name}-1.eu-west-1.elb.amazonaws.com`,
      CreatedTime: new Date(options.created),
    },
    arn,
    tags: {},
    attributes: {},
    capacityUnits: undefined,
    listeners: options.listeners ?? [],
  };
}

describe('keepLoadBalancer', () => {
  const bare = readLb('bare', { created: '2026-01-01T00:00:00Z' });
  const serving = readLb('serving', {
    created: '2026-01-02T00:00:00Z',
    listeners: [readListener('l-serving', 3)],
  });
  it('keeps the one whose DNS name the Ingress status shows, even when bare', () => {
    const kept = keepLoadBalancer([serving, bare], new Set(['bare-1.eu-west-1.elb.amazonaws.com']));
    assert.equal(kept.kept, bare);
    assert.deepEqual(kept.extras, [serving]);
    assert.equal(kept.because, 'the Ingress status shows its DNS name');
  });
  it('with no status, keeps the one holding our rules over the older bare one', () => {
    const kept = keepLoadBalancer([bare, serving], new Set());
    assert.equal(kept.kept, serving);
    assert.equal(kept.because, 'it holds the most of our rules');
  });
  it('with nothing else to tell them apart, keeps the oldest', () => {
    const later = readLb('later', { created: '2026-03-01T00:00:00Z' });
    const kept = keepLoadBalancer([later, bare], new Set());
    assert.equal(kept.kept, bare);
    assert.equal(kept.because, 'it is the oldest');
  });
});

describe('keepListener, keepRule, keepTargetGroup, keepSecurityGroup', () => {
  it('keeps the listener with the most of our rules', () => {
    const empty = readListener('l-a', 0);
    const full = readListener('l-b', 10);
    assert.equal(keepListener([empty, full]).kept, full);
  });
  it('keeps the rule at the lowest priority: the one that matches', () => {
    const kept = keepRule([
      { arn: 'r-b', priority: 7 },
      { arn: 'r-a', priority: 2 },
    ]);
    assert.equal(kept.kept.arn, 'r-a');
    assert.deepEqual(
      kept.extras.map((r) => r.arn),
      ['r-b'],
    );
  });
  it('keeps the target group our rules forward to over one with more targets', () => {
    const used = { arn: 'tg-b', name: 'b', targets: [] };
    const filled = { arn: 'tg-a', name: 'a', targets: [1, 2, 3] };
    assert.equal(keepTargetGroup([filled, used], new Map([['tg-b', 2]])).kept, used);
    assert.equal(keepTargetGroup([used, filled], new Map()).kept, filled);
  });
  it('keeps the security group the load balancer uses', () => {
    const kept = keepSecurityGroup([{ groupId: 'sg-1' }, { groupId: 'sg-2' }], new Set(['sg-2']));
    assert.equal(kept.kept.groupId, 'sg-2');
    assert.equal(kept.because, 'the load balancer uses it');
  });
});

describe('splitDuplicates', () => {
  it('keeps singles as they are and splits each group of two or more, in order', () => {
    const items = [
      { id: 'a', arn: '2', priority: 5 },
      { id: 'b', arn: '3', priority: 1 },
      { id: 'a', arn: '1', priority: 2 },
    ];
    const split = splitDuplicates(items, (r) => r.id, keepRule);
    assert.deepEqual(
      split.kept.map((r) => r.arn),
      ['3', '1'],
    );
    assert.deepEqual(
      split.duplicates.map((d) => [d.kept.arn, d.extras.map((e) => e.arn)]),
      [['1', ['2']]],
    );
  });
  it('reads the target groups of forwards, weighted or not', () => {
    assert.deepEqual(
      forwardedArns([
        { Type: 'forward', TargetGroupArn: 'tg-1' },
        {
          Type: 'forward',
          ForwardConfig: { TargetGroups: [{ TargetGroupArn: 'tg-2' }, { TargetGroupArn: 'tg-3' }] },
        },
        { Type: 'fixed-response' },
      ]),
      ['tg-1', 'tg-2', 'tg-3'],
    );
  });
});
