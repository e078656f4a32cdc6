/**
 * Model ↔ SDK shapes: what discovery reads back must compare equal to what apply wrote,
 * whichever of its equivalent forms AWS reports.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  fromSdkActions,
  fromSdkConditions,
  fromSdkPermissions,
} from '../../../pkg/deploy/from-sdk.ts';
import { toSdkActions, toSdkConditions } from '../../../pkg/deploy/to-sdk.ts';
import type { Action, RuleCondition } from '../../../pkg/model/index.ts';

const ours = 'arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/ours/1';
const foreign = 'arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/theirs/2';
const idOf = (arn: string) => (arn === ours ? 'tg/shop/web/api:80' : undefined);

describe('deploy: SDK shapes', () => {
  it('GIVEN forwards in either form WHEN read back THEN ours are named by stack id, foreign ones keep their ARN', () => {
    const cases: { name: string; sdk: Parameters<typeof fromSdkActions>[0]; want: Action[] }[] = [
      {
        name: 'legacy TargetGroupArn',
        sdk: [{ Type: 'forward', TargetGroupArn: ours }],
        want: [
          {
            Type: 'forward',
            ForwardConfig: { TargetGroups: [{ TargetGroupId: 'tg/shop/web/api:80' }] },
          },
        ],
      },
      {
        name: 'ForwardConfig with weights and stickiness',
        sdk: [
          {
            Type: 'forward',
            Order: 1,
            TargetGroupArn: ours,
            ForwardConfig: {
              TargetGroups: [
                { TargetGroupArn: ours, Weight: 3 },
                { TargetGroupArn: foreign, Weight: 1 },
              ],
              TargetGroupStickinessConfig: { Enabled: false },
            },
          },
        ],
        want: [
          {
            Type: 'forward',
            Order: 1,
            ForwardConfig: {
              TargetGroups: [
                { TargetGroupId: 'tg/shop/web/api:80', Weight: 3 },
                { TargetGroupArn: foreign, Weight: 1 },
              ],
              TargetGroupStickinessConfig: { Enabled: false },
            },
          },
        ],
      },
      {
        name: 'fixed response without undefined members',
        sdk: [
          {
            Type: 'fixed-response',
            FixedResponseConfig: { StatusCode: '404', ContentType: undefined, MessageBody: 'no' },
          },
        ],
        want: [
          { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404', MessageBody: 'no' } },
        ],
      },
    ];
    for (const c of cases) assert.deepEqual(fromSdkActions(c.sdk, idOf), c.want, c.name);
  });

  it('GIVEN our actions WHEN written THEN forwards carry ARNs and weights only', () => {
    const actions: Action[] = [
      {
        Type: 'forward',
        ForwardConfig: {
          TargetGroups: [{ TargetGroupId: 'tg/a', Weight: 2 }, { TargetGroupName: 'legacy' }],
        },
      },
    ];
    const arns: Record<string, string> = { 'tg/a': 'arn:a', legacy: 'arn:legacy' };
    const sdk = toSdkActions(
      actions,
      (t) => arns[t.TargetGroupId ?? t.TargetGroupName ?? ''] ?? '',
    );
    assert.deepEqual(sdk, [
      {
        Type: 'forward',
        ForwardConfig: {
          TargetGroups: [{ TargetGroupArn: 'arn:a', Weight: 2 }, { TargetGroupArn: 'arn:legacy' }],
        },
      },
    ]);
  });

  it('GIVEN conditions with legacy Values WHEN read back THEN they have their typed config and round-trip', () => {
    const written: RuleCondition[] = [
      { Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } },
      { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'x-env', Values: ['beta'] } },
    ];
    assert.deepEqual(fromSdkConditions(toSdkConditions(written)), written);
    assert.deepEqual(fromSdkConditions([{ Field: 'host-header', Values: ['shop.example.com'] }]), [
      { Field: 'host-header', HostHeaderConfig: { Values: ['shop.example.com'] } },
    ]);
  });

  it('GIVEN security group permissions WHEN read back THEN there is one entry per source, groups named by stack id', () => {
    const refOf = (id: string) => (id === 'sg-backend' ? 'shared-backend' : id);
    assert.deepEqual(
      fromSdkPermissions(
        [
          {
            IpProtocol: 'tcp',
            FromPort: 443,
            ToPort: 443,
            IpRanges: [{ CidrIp: '0.0.0.0/0' }, { CidrIp: '10.0.0.0/8', Description: 'office' }],
            Ipv6Ranges: [{ CidrIpv6: '::/0' }],
            UserIdGroupPairs: [{ GroupId: 'sg-backend' }, { GroupId: 'sg-other' }],
          },
        ],
        refOf,
      ),
      [
        { protocol: 'tcp', fromPort: 443, toPort: 443, cidrIpv4: '0.0.0.0/0' },
        {
          protocol: 'tcp',
          fromPort: 443,
          toPort: 443,
          cidrIpv4: '10.0.0.0/8',
          description: 'office',
        },
        { protocol: 'tcp', fromPort: 443, toPort: 443, cidrIpv6: '::/0' },
        { protocol: 'tcp', fromPort: 443, toPort: 443, sourceGroupRef: 'shared-backend' },
        { protocol: 'tcp', fromPort: 443, toPort: 443, sourceGroupRef: 'sg-other' },
      ],
    );
  });
});
