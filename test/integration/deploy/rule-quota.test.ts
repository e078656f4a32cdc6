/**
 * At the 100-rule quota, a rule that moves from one member to another is modified in
 * place (ModifyRule, retagged to its new member), never created before the old one goes:
 * the emulator enforces no quota, so the test asserts the calls and the state — no
 * CreateRule, never more than 100 rules — and that the next plan is empty.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { V1Ingress } from '@kubernetes/client-node';
import type { IngressGroup } from '../../../pkg/ingress/index.ts';
import { discoverStack } from '../../../pkg/deploy/index.ts';
import type { DeployContext } from '../../../pkg/deploy/index.ts';
import { planChanges } from '../../../pkg/plan/index.ts';
import { buildStack, defaultTranslateConfig } from '../../../pkg/translate/index.ts';
import type { TranslateConfig } from '../../../pkg/translate/index.ts';
import { useTestEnv } from '../../env/testenv.ts';
import type { TestEnv } from '../../env/testenv.ts';
import { deployContext, reconcile, writes } from './harness.ts';
import { worldEnv } from './ingress-world.ts';

function member(name: string, service: string, paths: readonly string[]): V1Ingress {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      namespace: 'shop',
      name,
      annotations: { 'alb.ingress.kubernetes.io/group.name': 'quota' },
    },
    spec: {
      ingressClassName: 'alb',
      rules: [
        {
          http: {
            paths: paths.map((path) => ({
              path,
              pathType: 'Exact',
              backend: { service: { name: service, port: { number: 80 } } },
            })),
          },
        },
      ],
    },
  };
}

function quotaGroup(a: readonly string[], b: readonly string[]): IngressGroup {
  return {
    key: { kind: 'explicit', name: 'quota' },
    id: 'quota',
    members: [
      { key: 'shop/a', ingress: member('a', 'api', a), order: 0 },
      { key: 'shop/b', ingress: member('b', 'web', b), order: 0 },
    ],
    inactiveMembers: [],
    problems: [],
  };
}

const range = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `/${prefix}${i}`);

describe('deploy: a rule moved between members at the rule quota', () => {
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

  function built(a: readonly string[], b: readonly string[]) {
    const result = buildStack(quotaGroup(a, b), worldEnv(env), config);
    assert.deepEqual(
      result.problems.filter((p) => p.severity === 'error'),
      [],
    );
    return result.stack;
  }

  it('GIVEN 100 rules of two members WHEN member a drops a path and member b adds one THEN one rule is modified and retagged to b, none created or deleted, and the next plan is empty', async () => {
    // GIVEN
    const full = built(range('a', 60), range('b', 40));
    assert.equal(full.rules.length, 100);
    await reconcile(ctx, full);
    const applied = await discoverStack(ctx, full.id);
    assert.equal(applied?.rules.length, 100);

    // WHEN
    const moved = built(range('a', 59), range('b', 41));
    const round = await reconcile(ctx, moved);

    // THEN
    assert.equal(round.calls.CreateRule, undefined, JSON.stringify(writes(round)));
    assert.equal(round.calls.DeleteRule, undefined);
    assert.equal(round.calls.ModifyRule, 1);
    const found = await discoverStack(ctx, moved.id);
    assert.ok(found !== null);
    assert.equal(found.rules.length, 100);
    assert.deepEqual(
      found.rules.map((r) => r.arn).sort(),
      applied.rules.map((r) => r.arn).sort(),
      'the same 100 rules serve',
    );
    const b40 = found.rules.find((r) =>
      r.conditions.some((c) => c.PathPatternConfig?.Values?.includes('/b40') === true),
    );
    assert.equal(b40?.member, 'shop/b');
    assert.deepEqual(planChanges(moved, found), []);
    assert.deepEqual(writes(await reconcile(ctx, moved)), {});
  });
});
