/** `--aws-api-rate-limits`: defaults below AWS's buckets, entries over them, clear errors. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseControllerConfig, type ControllerConfig } from '../../../controller/config.ts';
import { defaultRateLimits, formatRateLimits } from '../../../pkg/aws/index.ts';

const required = { ALBATROSS_CLUSTER_NAME: 'prod', AWS_REGION: 'eu-west-1' };

function parse(argv: readonly string[]): ControllerConfig | string {
  const result = parseControllerConfig(argv, required);
  if (result.kind === 'ok') return result.options;
  return result.kind === 'usage-error' ? result.message : 'help';
}

function limits(argv: readonly string[]): string {
  const config = parse(argv);
  if (typeof config === 'string') assert.fail(config);
  return formatRateLimits(config.aws.rateLimits);
}

describe('--aws-api-rate-limits', () => {
  it('GIVEN no flag THEN every family is limited a little below AWS’s documented bucket', () => {
    assert.equal(
      limits([]),
      'elbv2-account=8:32,elbv2-describe=8:32,elbv2-write=2.4:16,elbv2-register=3.2:16,elbv2-heavy=0.16:8,ec2-describe=16:80,ec2-write=4:40,ec2-sg-rules=4:40,ec2-tags=8:80,tagging=8:32',
    );
    assert.equal(formatRateLimits(defaultRateLimits), limits([]));
  });

  it('GIVEN entries THEN they replace those families only, and family=0 lifts a limit', () => {
    assert.equal(
      limits(['--aws-api-rate-limits', 'elbv2-write=5:10, tagging=0']),
      'elbv2-account=8:32,elbv2-describe=8:32,elbv2-write=5:10,elbv2-register=3.2:16,elbv2-heavy=0.16:8,ec2-describe=16:80,ec2-write=4:40,ec2-sg-rules=4:40,ec2-tags=8:80',
    );
  });

  it('GIVEN off THEN nothing is limited', () => {
    assert.equal(limits(['--aws-api-rate-limits=off']), 'off');
  });

  const bad: readonly (readonly [string, RegExp])[] = [
    [
      'elbv2-write',
      /must be off, or comma-separated family=rate:burst entries .*'elbv2-write' is not one, not 'elbv2-write'$/,
    ],
    [
      'elb-write=1:2',
      /must be entries naming an API family \(elbv2-account, .*\); 'elb-write' is not one/,
    ],
    [
      'elbv2-write=0:5',
      /must be a rate above 0 and a burst of at least 1 \(elbv2-write=0: no limit\)/,
    ],
    ['elbv2-write=2:0', /must be a rate above 0 and a burst of at least 1/],
  ];
  for (const [value, message] of bad) {
    it(`GIVEN '${value}' THEN a usage error names the flag, what is allowed and the value`, () => {
      const got = parse(['--aws-api-rate-limits', value]);
      if (typeof got !== 'string') assert.fail(`'${value}' was accepted`);
      assert.match(got, /^albatross controller: --aws-api-rate-limits must be /);
      assert.match(got, message);
    });
  }
});
