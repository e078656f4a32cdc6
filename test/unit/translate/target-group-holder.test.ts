import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boundTargetGroupName, targetGroupHolder } from '../../../pkg/translate/index.ts';
import type { TargetGroupBindingObject } from '../../../pkg/translate/index.ts';

const ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef';

function binding(
  name: string,
  created: string,
  target: { targetGroupARN: string } | { targetGroupName: string },
): TargetGroupBindingObject {
  return {
    metadata: { namespace: 'shop', name, creationTimestamp: created as unknown as Date },
    spec: { ...target, serviceRef: { name: 'svc', port: 80 } },
  };
}

describe('targetGroupHolder', () => {
  it('reads the name of a target group from its ARN', () => {
    assert.equal(
      boundTargetGroupName({ targetGroupARN: ARN, serviceRef: { name: 's', port: 1 } }),
      'web',
    );
  });

  it('the older binding holds the target group, whether named by ARN or by name', () => {
    const older = binding('zeta', '2026-01-01T00:00:00Z', { targetGroupARN: ARN });
    const younger = binding('alpha', '2026-01-02T00:00:00Z', { targetGroupName: 'web' });
    const all = [younger, older];
    assert.equal(targetGroupHolder(younger, all)?.metadata?.name, 'zeta');
    assert.equal(targetGroupHolder(older, all), undefined);
  });

  it('created in the same second, the first by namespace/name holds it', () => {
    const a = binding('a', '2026-01-01T00:00:00Z', { targetGroupName: 'web' });
    const b = binding('b', '2026-01-01T00:00:00Z', { targetGroupName: 'web' });
    assert.equal(targetGroupHolder(b, [b, a])?.metadata?.name, 'a');
    assert.equal(targetGroupHolder(a, [b, a]), undefined);
  });

  it('bindings on other target groups, or with an invalid spec, do not count', () => {
    const mine = binding('mine', '2026-01-02T00:00:00Z', { targetGroupName: 'web' });
    const other = binding('other', '2026-01-01T00:00:00Z', { targetGroupName: 'api' });
    const broken = { metadata: { namespace: 'shop', name: 'broken' }, spec: {} };
    assert.equal(targetGroupHolder(mine, [mine, other, broken]), undefined);
  });
});
