import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONTROLLER_HELP, parseControllerConfig } from '../../../controller/config.ts';

const env = { ALBATROSS_CLUSTER_NAME: 'prod', AWS_REGION: 'eu-west-1' };

describe('controller config: --external-managed-tags', () => {
  it('GIVEN a list of keys (flag or variable) THEN they reach the pure core, trimmed and de-duplicated', () => {
    for (const [argv, vars] of [
      [['--external-managed-tags', 'CostCenter, Owner,CostCenter'], {}],
      [[], { ALBATROSS_EXTERNAL_MANAGED_TAGS: 'CostCenter,Owner' }],
    ] as const) {
      const r = parseControllerConfig(argv, { ...env, ...vars });
      assert.ok(r.kind === 'ok');
      assert.deepEqual(r.options.translate.externalManagedTags, ['CostCenter', 'Owner']);
    }
  });

  it('GIVEN no flag THEN no key is external', () => {
    const r = parseControllerConfig([], env);
    assert.ok(r.kind === 'ok' && r.options.translate.externalManagedTags === undefined);
  });

  it('GIVEN an ownership key, an empty list or a key also in --default-tags THEN one line names the flag, the value and what is allowed', () => {
    const cases: readonly [readonly string[], string][] = [
      [
        ['--external-managed-tags', 'albatross.dev/stack'],
        "--external-managed-tags must be tag keys that do not start with albatross.dev/ (the ownership tags), not 'albatross.dev/stack'",
      ],
      [
        ['--external-managed-tags', ' , '],
        "--external-managed-tags must be a comma-separated list of tag keys such as CostCenter,Owner, not ' , '",
      ],
      [
        ['--external-managed-tags', 'CostCenter', '--default-tags', 'CostCenter=1,team=web'],
        "--default-tags may not set a key listed in --external-managed-tags, not 'CostCenter'",
      ],
    ];
    for (const [argv, message] of cases) {
      const r = parseControllerConfig(argv, env);
      assert.ok(r.kind === 'usage-error');
      assert.equal(r.message, `albatross controller: ${message}`);
    }
  });

  it('GIVEN --help THEN the flag is listed', () => {
    assert.match(
      CONTROLLER_HELP,
      /--external-managed-tags VALUE {2}\[ALBATROSS_EXTERNAL_MANAGED_TAGS\]/,
    );
  });
});
