/**
 * The shipped examples, planned by the real core as a user would run it: the routing a
 * user cares about (host and path → Service), not a snapshot of everything.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { runPlan } from '../../../pkg/cli/index.ts';
import { defaultPlanCore } from '../../../pkg/cli/core.ts';
import { captureIo } from './cli-io.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

interface PlanJson {
  stacks: {
    group: string;
    members: string[];
    loadBalancer: { scheme: string } | null;
    listeners: {
      port: number;
      protocol: string;
      defaultActions: { Type: string; FixedResponseConfig?: { StatusCode: string } }[];
      rules: {
        priority: number;
        conditions: {
          Field: string;
          HostHeaderConfig?: { Values?: string[] };
          PathPatternConfig?: { Values?: string[] };
        }[];
        actions: { Type: string; ForwardConfig?: { TargetGroups: { TargetGroupId?: string }[] } }[];
        transforms?: {
          Type: string;
          UrlRewriteConfig?: { Rewrites: { Regex: string; Replace: string }[] };
        }[];
      }[];
    }[];
    targetGroups: { id: string; service: string; port: number; targets: unknown }[];
  }[];
  changes: { stack: string; op: string; kind: string }[];
  problems: unknown[];
}

/** `host path,path → service` per rule of a stack's first listener. */
function routes(stack: PlanJson['stacks'][number]): string[] {
  const services = new Map(stack.targetGroups.map((tg) => [tg.id, tg.service]));
  return (stack.listeners[0]?.rules ?? []).map((rule) => {
    const host = rule.conditions.find((c) => c.Field === 'host-header')?.HostHeaderConfig?.Values;
    const paths = rule.conditions.find((c) => c.Field === 'path-pattern')?.PathPatternConfig
      ?.Values;
    const to = rule.actions
      .flatMap((a) => a.ForwardConfig?.TargetGroups ?? [])
      .map((t) => services.get(t.TargetGroupId ?? '') ?? '?');
    return `${host?.join(',') ?? '*'} ${paths?.join(',') ?? '*'} → ${to.join(',')}`;
  });
}

describe('albatross plan over examples/', () => {
  it('plans every example cleanly, with the routing the manifests describe', async () => {
    // GIVEN the shipped examples
    const io = captureIo({ cwd: root });
    // WHEN planned
    const code = await runPlan(['-f', 'examples', '--output', 'json'], io, defaultPlanCore);
    const plan = JSON.parse(io.out()) as PlanJson;
    // THEN no problems, and each Ingress routes where its manifest says
    assert.equal(code, 0, io.err());
    assert.deepEqual(plan.problems, []);
    const byGroup = new Map(plan.stacks.map((s) => [s.group, s]));

    const myservice = byGroup.get('default/test-ingress');
    assert.ok(myservice);
    assert.deepEqual(routes(myservice), [
      'myservice.example.com /somepath,/somepath/* → default/service1:9876',
    ]);
    assert.equal(myservice.targetGroups[0]?.port, 30876, 'instance mode targets the NodePort');
    assert.equal(myservice.targetGroups[0].targets, null, 'no Nodes given: targets unknown');
    assert.equal(myservice.listeners[0]?.defaultActions[0]?.FixedResponseConfig?.StatusCode, '404');

    const nginx = byGroup.get('default/nginx-ingress');
    assert.ok(nginx);
    assert.deepEqual(routes(nginx), ['* /web,/web/* → default/nginx:80']);
    assert.equal(nginx.listeners[0]?.rules[0]?.transforms?.[0]?.Type, 'url-rewrite');

    const shop = byGroup.get('shop');
    assert.ok(shop);
    assert.deepEqual(shop.members, ['shop/storefront', 'shop/api']);
    assert.equal(shop.loadBalancer?.scheme, 'internet-facing');
    assert.ok(routes(shop).includes('api.shop.example.com /v1/orders → shop/orders:8080'));
    assert.ok(routes(shop).includes('api.shop.example.com /v1,/v1/* → shop/catalog:8080'));
    assert.ok(routes(shop).includes('shop.example.com /* → shop/storefront:http'));

    // AND against an empty account everything is created, nothing else
    assert.ok(plan.changes.length > 0);
    assert.deepEqual([...new Set(plan.changes.map((c) => c.op))], ['create']);
  });

  it('runs as a user runs it: scripts/node controller/main.ts plan -f examples --output json', async () => {
    const { stdout } = await promisify(execFile)(
      'scripts/node',
      ['controller/main.ts', 'plan', '-f', 'examples', '--output', 'json'],
      { cwd: root },
    );
    const plan = JSON.parse(stdout) as PlanJson;
    assert.deepEqual(
      plan.stacks.map((s) => s.group),
      ['default/edge', 'default/nginx-ingress', 'default/test-ingress', 'shop'],
    );
  });
});

describe('albatross plan of a group whose only member is bad', () => {
  const manifest = [
    'apiVersion: networking.k8s.io/v1',
    'kind: Ingress',
    'metadata:',
    '  name: bad',
    '  annotations:',
    '    alb.ingress.kubernetes.io/scheme: public',
    'spec:',
    '  rules:',
    '  - http:',
    '      paths:',
    '      - {path: /a, pathType: Prefix, backend: {service: {name: svc, port: {number: 80}}}}',
    '',
  ].join('\n');

  it('creates nothing, says the member is frozen and what exists keeps serving, and exits 1', async () => {
    const io = captureIo({ stdin: manifest, cwd: root });
    const code = await runPlan(['-f', '-', '--output', 'text'], io, defaultPlanCore);
    assert.equal(code, 1);
    const text = io.out();
    assert.match(text, /every member is frozen: nothing is created or changed/);
    assert.doesNotMatch(text, /every resource of this group is deleted/);
    assert.match(text, /alb\.ingress\.kubernetes\.io\/scheme: "public"/);
    assert.match(text, /must be one of 'internal', 'internet-facing'/);
    assert.match(text, /Plan: 0 to create, 0 to update, 0 to replace, 0 to delete/);
  });
});
