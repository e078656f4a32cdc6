import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseControllerConfig, type ControllerConfig } from '../../../controller/config.ts';

const required = { ALBATROSS_CLUSTER_NAME: 'prod', AWS_REGION: 'eu-west-1' };

function ok(argv: readonly string[], env: Record<string, string> = required): ControllerConfig {
  const result = parseControllerConfig(argv, env);
  if (result.kind !== 'ok') return assert.fail(`expected a config, got ${result.kind}`);
  return result.options;
}

function usage(argv: readonly string[]): string {
  const result = parseControllerConfig(argv, required);
  if (result.kind !== 'usage-error')
    return assert.fail(`expected a usage error, got ${result.kind}`);
  return result.message;
}

const CA =
  'arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/11111111-2222-3333-4444-555555555555';

describe('controller config: certificate discovery and add-on flags', () => {
  it('GIVEN --enable-waf=false, --no-enable-shield and ALBATROSS_ENABLE_WAFV2=false THEN each add-on kind is off', () => {
    const config = ok(['--enable-waf=false', '--no-enable-shield'], {
      ...required,
      ALBATROSS_ENABLE_WAFV2: 'false',
    });
    assert.deepEqual(config.translate.addons, { wafv2: false, waf: false, shield: false });
    assert.equal(ok(['--enable-wafv2=false']).translate.addons?.wafv2, false);
  });

  it('GIVEN CA ARNs and a TTL THEN they reach the config', () => {
    const config = ok([
      '--allowed-certificate-authority-arns',
      ` ${CA} ,`,
      '--certificate-discovery-ttl',
      '5m',
    ]);
    assert.deepEqual(config.translate.allowedCertificateAuthorityArns, [CA]);
    assert.equal(config.certificateDiscoveryTtlMs, 300_000);
  });

  it('GIVEN a bad CA ARN, TTL or switch THEN one line names the flag, the value and what is allowed', () => {
    assert.match(
      usage(['--allowed-certificate-authority-arns', 'arn:aws:acm:eu-west-1:1:certificate/x']),
      /--allowed-certificate-authority-arns must be comma-separated AWS Private CA ARNs.*not 'arn:aws:acm:eu-west-1:1:certificate\/x'/,
    );
    assert.match(
      usage(['--certificate-discovery-ttl', '10ms']),
      /--certificate-discovery-ttl must be a duration of 1s or more.*not '10ms'/,
    );
    assert.match(
      usage(['--enable-wafv2=maybe']),
      /--enable-wafv2 must be true or false, not 'maybe'/,
    );
  });
});
