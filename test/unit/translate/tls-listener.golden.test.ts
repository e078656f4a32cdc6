/**
 * `spec.tls` without `listen-ports` (issue 15, item 4): HTTPS:443 with certificate
 * discovery for the TLS hosts next to HTTP:80, and HTTP still serving, with a warning,
 * when no certificate is found. Goldens of the stack, problems and creation plan; the
 * behaviour a user relies on is asserted beside them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IngressGroup } from '../../../pkg/ingress/group.ts';
import type { Stack } from '../../../pkg/model/index.ts';
import { planChanges, renderChanges } from '../../../pkg/plan/index.ts';
import type { AcmCertificate, Env } from '../../../pkg/translate/index.ts';
import { buildStack } from '../../../pkg/translate/index.ts';
import { config, env, group, ingress, path, rule, service } from './fixtures.ts';
import { assertGolden } from './golden.ts';

const A = 'alb.ingress.kubernetes.io/';
const web = service('default/web', [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30080 }]);
const SHOP_CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/shop';
const issued: readonly AcmCertificate[] = [
  { arn: SHOP_CERT, domains: ['shop.example.com'], status: 'ISSUED' },
];
const withCert: Env = { ...env([web]), certificates: issued };
const noCert: Env = { ...env([web]), certificates: [] };
const offline: Env = env([web]);

const tlsIngress = (
  key: string,
  host: string,
  annotations: Record<string, string> = {},
  tlsHosts: string[] = [host],
) =>
  ingress(
    key,
    { rules: [rule(host, path('/', 'web', 80))], tls: [{ hosts: tlsHosts, secretName: 'unused' }] },
    annotations,
  );

interface Case {
  readonly name: string;
  readonly group: IngressGroup;
  readonly env: Env;
}

const cases: readonly Case[] = [
  {
    name: 'tls-implicit-https-discovered',
    group: group('default/shop', [[tlsIngress('default/shop', 'shop.example.com')]]),
    env: withCert,
  },
  {
    name: 'tls-implicit-https-no-certificate',
    group: group('default/shop', [[tlsIngress('default/shop', 'shop.example.com')]]),
    env: noCert,
  },
  {
    name: 'tls-implicit-https-offline',
    group: group('default/shop', [[tlsIngress('default/shop', 'shop.example.com')]]),
    env: offline,
  },
  {
    name: 'tls-implicit-group',
    group: group('shared', [
      [tlsIngress('default/shop', 'shop.example.com')],
      [ingress('default/plain', { rules: [rule('plain.example.com', path('/', 'web', 80))] })],
      [
        tlsIngress('default/ported', 'ported.example.com', {
          [`${A}listen-ports`]: '[{"HTTP":8080}]',
        }),
      ],
    ]),
    env: withCert,
  },
  {
    name: 'tls-implicit-yields-to-http-443',
    group: group('shared', [
      [tlsIngress('default/shop', 'shop.example.com')],
      [
        ingress(
          'default/odd',
          { rules: [rule('odd.example.com', path('/', 'web', 80))] },
          { [`${A}listen-ports`]: '[{"HTTP":443}]' },
        ),
      ],
    ]),
    env: withCert,
  },
  {
    name: 'tls-implicit-ssl-redirect',
    group: group('default/shop', [
      [tlsIngress('default/shop', 'shop.example.com', { [`${A}ssl-redirect`]: '443' })],
    ]),
    env: withCert,
  },
];

function ports(stack: Stack): string[] {
  return stack.listeners.map((l) => `${l.protocol}:${l.port}`);
}

describe('spec.tls without listen-ports: golden stacks and plans', () => {
  for (const c of cases) {
    it(`GIVEN ${c.name} THEN the stack, problems and creation plan match golden/${c.name}.json`, () => {
      const result = buildStack(c.group, c.env, config);
      assertGolden(c.name, { ...result, plan: renderChanges(planChanges(result.stack, null)) });
    });
  }

  it('GIVEN spec.tls and an issued certificate for its host THEN HTTPS:443 with that certificate next to HTTP:80, both serving the rules', () => {
    const { stack, problems } = buildStack(cases[0]!.group, withCert, config);
    assert.deepEqual(problems, []);
    assert.deepEqual(ports(stack), ['HTTP:80', 'HTTPS:443']);
    assert.deepEqual(stack.listeners[1]?.certificates, [{ certificateArn: SHOP_CERT }]);
    assert.deepEqual(
      stack.rules.map((r) => r.listenerId),
      ['listener/80', 'listener/443'],
    );
  });

  it('GIVEN spec.tls and no certificate THEN only HTTP:80, serving, and a warning (no freeze)', () => {
    const { stack, problems } = buildStack(cases[1]!.group, noCert, config);
    assert.deepEqual(ports(stack), ['HTTP:80']);
    assert.deepEqual(stack.frozenMembers, []);
    assert.equal(stack.rules.length, 1);
    assert.deepEqual(
      problems.map((p) => [p.severity, p.field, p.value]),
      [['warning', 'spec.tls[].hosts', 'shop.example.com']],
    );
  });

  it('GIVEN spec.tls offline THEN HTTPS:443 waits for discovery (the controller reads ACM)', () => {
    const { stack } = buildStack(cases[2]!.group, offline, config);
    assert.deepEqual(ports(stack), ['HTTP:80', 'HTTPS:443']);
    assert.deepEqual(stack.listeners[1]?.certificateDiscovery, {
      hosts: ['shop.example.com'],
      resolved: false,
    });
  });

  it('GIVEN a group THEN only the member with spec.tls and no listen-ports is on 443', () => {
    const { stack } = buildStack(cases[3]!.group, withCert, config);
    assert.deepEqual(ports(stack), ['HTTP:80', 'HTTPS:443', 'HTTP:8080']);
    assert.deepEqual(
      stack.rules.filter((r) => r.listenerId === 'listener/443').map((r) => r.member),
      ['default/shop'],
    );
  });

  it('GIVEN another member made 443 HTTP THEN spec.tls yields with a warning and nobody is frozen', () => {
    const { stack, problems } = buildStack(cases[4]!.group, withCert, config);
    assert.deepEqual(ports(stack), ['HTTP:80', 'HTTP:443']);
    assert.deepEqual(stack.frozenMembers, []);
    assert.deepEqual(
      problems.map((p) => [p.ingress, p.severity, p.field]),
      [['default/shop', 'warning', 'spec.tls']],
    );
  });

  it('GIVEN spec.tls with ssl-redirect 443 THEN HTTP:80 redirects to the implicit HTTPS:443', () => {
    const { stack, problems } = buildStack(cases[5]!.group, withCert, config);
    assert.deepEqual(problems, []);
    assert.equal(stack.listeners[0]?.defaultActions[0]?.Type, 'redirect');
    assert.deepEqual(
      stack.rules.map((r) => r.listenerId),
      ['listener/443'],
    );
  });
});
