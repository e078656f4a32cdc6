/**
 * The whole pure pipeline against the emulator: an Ingress group goes through
 * buildStack, the stack is applied, and the next round — built again from the same
 * group — plans nothing and writes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { discoverStack } from '../../../pkg/deploy/index.ts';
import type { DeployContext } from '../../../pkg/deploy/index.ts';
import { buildStack, defaultTranslateConfig } from '../../../pkg/translate/index.ts';
import type { TranslateConfig } from '../../../pkg/translate/index.ts';
import { useTestEnv } from '../../env/testenv.ts';
import type { TestEnv } from '../../env/testenv.ts';
import { deployContext, reconcile, writes } from './harness.ts';
import { group, shopIngress, worldEnv } from './ingress-world.ts';

describe('deploy: from an Ingress group through buildStack', () => {
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

  it('GIVEN an Ingress with two paths on two ports WHEN built and applied THEN the ALB serves them and the next round plans nothing', async () => {
    const built = buildStack(
      group(
        shopIngress([
          ['/api', 'api'],
          ['/', 'web'],
        ]),
      ),
      worldEnv(env),
      config,
    );
    assert.deepEqual(
      built.problems.filter((p) => p.severity === 'error'),
      [],
    );
    const first = await reconcile(ctx, built.stack);
    assert.match(first.result.dnsName ?? '', /elb\.amazonaws\.com$/);
    assert.deepEqual(first.result.skipped, []);

    const again = buildStack(
      group(
        shopIngress([
          ['/api', 'api'],
          ['/', 'web'],
        ]),
      ),
      worldEnv(env),
      config,
    );
    const second = await reconcile(ctx, again.stack);
    assert.deepEqual(
      second.plan.map((s) => `${s.op} ${s.kind} ${s.id}`),
      [],
    );
    assert.equal(second.mutating, 0);

    const found = await discoverStack(ctx, 'shop/web');
    assert.deepEqual(found?.listeners.map((l) => l.port).sort(), [80, 8080]);
    assert.equal(found.targetGroups.length, 2);
    assert.equal(found.rules.length, built.stack.rules.length);
    // Its backend needs are served by the cluster-level rules, not by rules of the stack.
    assert.equal(found.backendRules.length, 0);

    // A path edit changes the rule's id (ids hash host, path type and path), yet the
    // planner pairs the edited rule with the one it replaces: ModifyRule in place on
    // each listener, no window without a rule, no rule deleted.
    const edited = buildStack(
      group(
        shopIngress([
          ['/v2', 'api'],
          ['/', 'web'],
        ]),
      ),
      worldEnv(env),
      config,
    );
    const third = await reconcile(ctx, edited.stack);
    assert.equal(third.calls.ModifyRule, 2, 'one edited rule per listener');
    assert.equal(third.calls.CreateRule, undefined);
    assert.equal(third.calls.DeleteRule, undefined);
    const fourth = await reconcile(ctx, edited.stack);
    assert.deepEqual(fourth.plan, []);
    assert.deepEqual(writes(fourth), {});
  });
});
