/**
 * Routing live, against the API server and moto through the reconciler: path translation
 * (Prefix, Exact, a literal `*` in an Exact path, a wildcard host as regex values), rule
 * order by host specificity and with `ruleOrder: 'reference'`, `actions.*` (fixed
 * response, redirect, weighted forward) and `conditions.*` as real ALB rules, a backend
 * naming a missing Service or action (fixed 503 plus a Warning), and the listener
 * default action (the Ingress's `spec.defaultBackend`, else a fixed 404).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  type Action,
  type Rule,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { V1HTTPIngressPath, V1Ingress } from '@kubernetes/client-node';

import { Reconciler, type ReconcileReport } from '../../../controller/reconciler.ts';
import { isMutating } from '../../../pkg/aws/index.ts';
import { useTestEnv } from '../../env/testenv.ts';
import { eventually } from './helpers.ts';
import { startInProcessWorld, type InProcessWorld } from './in-process-world.ts';
import { findStack, mentions, warnings } from './live-stack.ts';

const A = 'alb.ingress.kubernetes.io/';

const toService = (path: string, pathType: string, name: string): V1HTTPIngressPath => ({
  path,
  pathType,
  backend: { service: { name, port: { number: 80 } } },
});
const toAction = (path: string, name: string): V1HTTPIngressPath => ({
  path,
  pathType: 'Prefix',
  backend: { service: { name, port: { name: 'use-annotation' } } },
});

/** Rules in reference (manifest) order: no host, then the wildcard host, then shop. */
function routes(namespace: string): V1Ingress {
  return {
    metadata: {
      name: 'routes',
      namespace,
      annotations: {
        [`${A}actions.down`]:
          '{"type":"fixed-response","fixedResponseConfig":{"contentType":"text/plain","statusCode":"503","messageBody":"maintenance"}}',
        [`${A}actions.moved`]:
          '{"type":"redirect","redirectConfig":{"path":"/new","statusCode":"HTTP_301"}}',
        [`${A}actions.split`]:
          '{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"web","servicePort":80,"weight":90},{"serviceName":"api","servicePort":80,"weight":10}]}}',
        [`${A}conditions.beta`]:
          '[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"X-Beta","values":["1"]}}]',
      },
    },
    spec: {
      ingressClassName: 'alb',
      defaultBackend: { service: { name: 'web', port: { number: 80 } } },
      rules: [
        { http: { paths: [toService('/', 'Prefix', 'web')] } },
        { host: '*.example.com', http: { paths: [toService('/', 'Prefix', 'web')] } },
        {
          host: 'shop.example.com',
          http: {
            paths: [
              toService('/cart', 'Prefix', 'api'),
              toService('/cart', 'Exact', 'api'),
              toService('/lit*eral', 'Exact', 'web'),
              toService('/beta', 'Prefix', 'beta'),
              toAction('/maintenance', 'down'),
              toAction('/old', 'moved'),
              toAction('/canary', 'split'),
              toAction('/ghost', 'nothing'),
              toService('/gone', 'Prefix', 'nope'),
            ],
          },
        },
      ],
    },
  };
}

function condition(rule: Rule, field: string): { values?: string[]; regex?: string[] } {
  const c = rule.Conditions?.find((x) => x.Field === field);
  if (c === undefined) return {};
  const config = field === 'host-header' ? c.HostHeaderConfig : c.PathPatternConfig;
  return {
    ...(config?.Values !== undefined && config.Values.length > 0
      ? { values: config.Values }
      : c.Values !== undefined && c.Values.length > 0
        ? { values: c.Values }
        : {}),
    ...(config?.RegexValues !== undefined && config.RegexValues.length > 0
      ? { regex: config.RegexValues }
      : {}),
  };
}

/** A readable key for a rule: host (or regex, or `*`) and path values. */
function key(rule: Rule): string {
  const host = condition(rule, 'host-header');
  const path = condition(rule, 'path-pattern');
  const h = host.values?.join('|') ?? host.regex?.map((r) => `re:${r}`).join('|') ?? '*';
  const p = path.values?.join('|') ?? path.regex?.map((r) => `re:${r}`).join('|') ?? '-';
  return `${h} ${p}`;
}

describe('routing rules live: paths, order, actions, conditions, defaults', () => {
  const testEnv = useTestEnv();
  let ns: string;
  let harness: InProcessWorld;
  const signal = new AbortController().signal;

  before(async () => {
    harness = await startInProcessWorld(testEnv.env, 'routing', ['web', 'api', 'beta']);
    ({ ns } = harness);
  });
  after(async () => {
    await harness.stop();
  });

  async function create(body: V1Ingress): Promise<void> {
    const name = body.metadata?.name ?? '';
    const made = await harness.net.createNamespacedIngress({ namespace: ns, body });
    await eventually(`cache of ${name}`, () =>
      harness.caches.ingresses.get(name, ns)?.metadata?.resourceVersion ===
      made.metadata?.resourceVersion
        ? true
        : undefined,
    );
  }

  async function reconcile(
    group: string,
    reconciler: Reconciler = harness.reconciler,
  ): Promise<{ report: ReconcileReport; writes: Record<string, number> }> {
    harness.aws.calls.reset();
    const report = await reconciler.reconcile(group, signal);
    const writes: Record<string, number> = {};
    for (const c of harness.aws.calls.snapshot()) {
      if (isMutating(c.operation)) writes[c.operation] = (writes[c.operation] ?? 0) + c.count;
    }
    return { report, writes };
  }

  async function rules(stack: string): Promise<readonly Rule[]> {
    const live = await findStack(harness.aws, stack);
    assert.ok(live, `an ALB for ${stack}`);
    return live.rules.get(80) ?? [];
  }

  async function targetGroupOf(service: string): Promise<string> {
    const tgs = await harness.aws.elbv2.send(new DescribeTargetGroupsCommand({}));
    const arns = (tgs.TargetGroups ?? []).map((t) => t.TargetGroupArn ?? '');
    const tags = await harness.aws.elbv2.send(new DescribeTagsCommand({ ResourceArns: arns }));
    const found = tags.TagDescriptions?.find((d) =>
      d.Tags?.some(
        (t) => t.Key === 'albatross.dev/resource' && t.Value === `tg/${ns}/routes/${service}:80`,
      ),
    );
    assert.ok(found?.ResourceArn, `a target group for ${service}`);
    return found.ResourceArn;
  }

  it('translates paths and hosts, orders rules by host specificity, and steadies', async () => {
    // GIVEN one Ingress with every kind of path, action and a default backend
    await create(routes(ns));
    // WHEN reconciled
    const first = await reconcile(`${ns}/routes`);
    // THEN it is not frozen: bad backends are reported, not fatal
    assert.deepEqual(first.report.frozen, []);
    const live = await rules(`${ns}/routes`);
    const keys = live.map(key);
    const at = (k: string): number => {
      const i = keys.indexOf(k);
      assert.ok(i >= 0, `a rule ${k} among ${keys.join(', ')}`);
      return i;
    };
    // Exact is literal, Prefix gets the subtree, a literal '*' becomes an escaped regex,
    // a wildcard host becomes a one-label regex
    const exactCart = at('shop.example.com /cart');
    const prefixCart = at('shop.example.com /cart|/cart/*');
    at('shop.example.com re:^/lit\\*eral$');
    const wildcard = at('re:^[^.]+\\.example\\.com$ /*');
    const noHost = at('* /*');
    // exact host before wildcard host before no host; within a host Exact before Prefix
    assert.ok(exactCart < prefixCart, 'Exact /cart before Prefix /cart');
    for (const [i, k] of keys.entries()) {
      if (k.startsWith('shop.example.com')) assert.ok(i < wildcard, `${k} before the wildcard`);
    }
    assert.ok(wildcard < noHost, 'wildcard host before no host');
    assert.deepEqual(
      live.map((r) => Number(r.Priority)),
      live.map((_, i) => i + 1),
    );
    const second = await reconcile(`${ns}/routes`);
    assert.equal(second.report.planned, 0);
    assert.deepEqual(second.writes, {});
  });

  it('makes actions and conditions real ALB rules, and 503s a missing Service or action', async () => {
    const live = await rules(`${ns}/routes`);
    const byPath = (p: string): Action[] => {
      const r = live.find((x) => condition(x, 'path-pattern').values?.[0] === p);
      assert.ok(r, `a rule for ${p}`);
      return r.Actions ?? [];
    };
    // fixed response
    const [down] = byPath('/maintenance');
    assert.equal(down?.Type, 'fixed-response');
    assert.equal(down.FixedResponseConfig?.StatusCode, '503');
    assert.equal(down.FixedResponseConfig.MessageBody, 'maintenance');
    // redirect
    const [moved] = byPath('/old');
    assert.equal(moved?.Type, 'redirect');
    assert.equal(moved.RedirectConfig?.Path, '/new');
    assert.equal(moved.RedirectConfig.StatusCode, 'HTTP_301');
    // weighted forward to two real target groups
    const [split] = byPath('/canary');
    assert.equal(split?.Type, 'forward');
    const weights = Object.fromEntries(
      (split.ForwardConfig?.TargetGroups ?? []).map((t) => [t.TargetGroupArn ?? '', t.Weight]),
    );
    assert.deepEqual(weights, {
      [await targetGroupOf('web')]: 90,
      [await targetGroupOf('api')]: 10,
    });
    // conditions.beta is ANDed onto the rule of the 'beta' backend
    const beta = live.find((x) => condition(x, 'path-pattern').values?.[0] === '/beta');
    const header = beta?.Conditions?.find((c) => c.Field === 'http-header');
    assert.equal(header?.HttpHeaderConfig?.HttpHeaderName, 'X-Beta');
    assert.deepEqual(header.HttpHeaderConfig.Values, ['1']);
    // a missing action and a missing Service answer a fixed 503 …
    for (const p of ['/ghost', '/gone']) {
      const [a] = byPath(p);
      assert.equal(a?.Type, 'fixed-response', p);
      assert.equal(a.FixedResponseConfig?.StatusCode, '503', p);
    }
    // … and each is a Warning on the Ingress naming what is missing
    const events = await warnings(harness.core, ns, 'routes');
    assert.ok(mentions(events, `Service ${ns}/nope does not exist`), 'Warning for Service nope');
    assert.ok(mentions(events, `${A}actions.nothing`), 'Warning for action nothing');
  });

  it('uses spec.defaultBackend as the listener default, else a fixed 404', async () => {
    const routesLb = await findStack(harness.aws, `${ns}/routes`);
    const [forward] = routesLb?.listeners.get(80)?.DefaultActions ?? [];
    assert.equal(forward?.Type, 'forward');
    const web = await targetGroupOf('web');
    const target =
      forward.TargetGroupArn ?? forward.ForwardConfig?.TargetGroups?.[0]?.TargetGroupArn;
    assert.equal(target, web);
    // GIVEN a second Ingress without a default backend
    await create({
      metadata: { name: 'plain', namespace: ns },
      spec: {
        ingressClassName: 'alb',
        rules: [{ http: { paths: [toService('/', 'Prefix', 'web')] } }],
      },
    });
    await reconcile(`${ns}/plain`);
    const plain = await findStack(harness.aws, `${ns}/plain`);
    const [fixed] = plain?.listeners.get(80)?.DefaultActions ?? [];
    assert.equal(fixed?.Type, 'fixed-response');
    assert.equal(fixed.FixedResponseConfig?.StatusCode, '404');
  });

  it("with ruleOrder 'reference' keeps manifest order, moving priorities only", async () => {
    const before = await rules(`${ns}/routes`);
    const arns = new Set(before.map((r) => r.RuleArn));
    // GIVEN the same caches, a reconciler configured as `--rule-order reference`
    const reference = new Reconciler({
      caches: harness.caches,
      mapper: harness.mapper,
      networking: harness.net,
      core: harness.core,
      clients: harness.aws,
      vpcId: testEnv.env.world.vpcId,
      translate: { ...harness.translate, ruleOrder: 'reference' },
      watchNamespace: ns,
    });
    // WHEN it reconciles the group
    const moved = await reconcile(`${ns}/routes`, reference);
    // THEN the rules are the same ones, reprioritised: the reference's order is manifest
    // order of the hosts (no host, wildcard, shop), and within one paths list Exact first,
    // then Prefix by descending length, ties in manifest order
    assert.equal(moved.writes.CreateRule, undefined);
    assert.equal(moved.writes.DeleteRule, undefined);
    assert.ok((moved.writes.SetRulePriorities ?? 0) > 0, 'priorities moved');
    const after = await rules(`${ns}/routes`);
    assert.deepEqual(new Set(after.map((r) => r.RuleArn)), arns);
    const shop = (p: string): string => `shop.example.com ${p}`;
    assert.deepEqual(after.map(key), [
      '* /*',
      're:^[^.]+\\.example\\.com$ /*',
      shop('/cart'),
      shop('re:^/lit\\*eral$'),
      shop('/maintenance|/maintenance/*'),
      shop('/canary|/canary/*'),
      shop('/ghost|/ghost/*'),
      shop('/cart|/cart/*'),
      shop('/beta|/beta/*'),
      shop('/gone|/gone/*'),
      shop('/old|/old/*'),
    ]);
    const again = await reconcile(`${ns}/routes`, reference);
    assert.deepEqual(again.writes, {});
  });
});
