/**
 * Editing an Ingress path changes the rule's stack id (ids hash host and path), yet the
 * rule must change in place: the planner pairs it with the rule it replaces, apply
 * modifies it and retags it, and the rule never stops serving.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { discoverStack } from '../../../pkg/deploy/index.ts';
import type { DeployContext } from '../../../pkg/deploy/index.ts';
import { planChanges } from '../../../pkg/plan/index.ts';
import { buildStack, defaultTranslateConfig } from '../../../pkg/translate/index.ts';
import type { TranslateConfig } from '../../../pkg/translate/index.ts';
import { useTestEnv } from '../../env/testenv.ts';
import type { TestEnv } from '../../env/testenv.ts';
import { deployContext, reconcile, writes } from './harness.ts';
import { group, shopIngress, worldEnv } from './ingress-world.ts';

describe('deploy: an edited Ingress path', () => {
  const testEnv = useTestEnv();
  let env: TestEnv;
  let ctx: DeployContext;
  let config: TranslateConfig;
  before(async () => {
    env = testEnv.env;
    await env.resetAws();
    ctx = deployContext(env);
    config = { ...defaultTranslateConfig, clusterName: env.clusterName };
  });
  after(() => {
    ctx.clients.destroy();
  });

  function built(paths: readonly [string, string][]) {
    const result = buildStack(group(shopIngress(paths, '[{"HTTP": 80}]')), worldEnv(env), config);
    assert.deepEqual(
      result.problems.filter((p) => p.severity === 'error'),
      [],
    );
    return result.stack;
  }

  it('GIVEN an applied Ingress WHEN one path is edited THEN one ModifyRule changes and retags the rule, nothing is created or deleted, and the next plan is empty', async () => {
    // GIVEN
    const original = built([
      ['/api', 'api'],
      ['/', 'web'],
    ]);
    await reconcile(ctx, original);
    const applied = await discoverStack(ctx, original.id);
    assert.ok(applied !== null);
    assert.equal(applied.rules.length, 2);

    // WHEN
    const edited = built([
      ['/v2', 'api'],
      ['/', 'web'],
    ]);
    const round = await reconcile(ctx, edited);

    // THEN
    assert.deepEqual(writes(round), { AddTags: 1, ModifyRule: 1 });
    assert.equal(round.calls.CreateRule, undefined);
    assert.equal(round.calls.DeleteRule, undefined);

    const found = await discoverStack(ctx, edited.id);
    assert.ok(found !== null);
    assert.deepEqual(
      found.rules.map((r) => `${r.priority} ${r.id}`).sort(),
      edited.rules.map((r) => `${r.priority} ${r.id}`).sort(),
      'the rules carry the ids of the edited Ingress',
    );
    assert.deepEqual(
      found.rules.map((r) => r.arn).sort(),
      applied.rules.map((r) => r.arn).sort(),
      'the same rules serve, none replaced',
    );
    const paths = found.rules.flatMap((r) =>
      r.conditions.flatMap((c) => c.PathPatternConfig?.Values ?? []),
    );
    assert.ok(paths.includes('/v2') && !paths.includes('/api'), `paths: ${paths.join()}`);

    assert.deepEqual(planChanges(edited, found), []);
    const again = await reconcile(ctx, edited);
    assert.deepEqual(writes(again), {});
  });
});
