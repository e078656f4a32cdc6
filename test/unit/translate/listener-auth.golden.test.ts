/**
 * Authentication and per-listener settings, offline: golden stacks, problems and the
 * plan a reviewer reads (text and JSON), for auth-type cognito/oidc, jwt-validation,
 * mutual-authentication and listener-attributes. The OIDC client secret is known to
 * translation only as a digest: no golden, no rendered plan may hold the value.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderPlanJson } from '../../../pkg/cli/render-json.ts';
import { renderPlanText } from '../../../pkg/cli/render-text.ts';
import type { PlanReport } from '../../../pkg/cli/plan-report.ts';
import type { IngressGroup } from '../../../pkg/ingress/group.ts';
import { planChanges } from '../../../pkg/plan/index.ts';
import type { Env, OidcClient } from '../../../pkg/translate/index.ts';
import { buildStack } from '../../../pkg/translate/index.ts';
import { config, env, group, ingress, path, rule, service } from './fixtures.ts';
import { assertGolden } from './golden.ts';

const A = 'alb.ingress.kubernetes.io/';
/** Stands for the value; only its digest (below) may reach translation. */
const SECRET_VALUE = 'never-print-me-0x5eed';
const DIGEST = 'sha256:1a2b3c4d5e6f7081';
const web = service('default/web', [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30080 }]);
const cert = 'arn:aws:acm:eu-west-1:111122223333:certificate/one';
const https = {
  [`${A}listen-ports`]: '[{"HTTP":80},{"HTTPS":443}]',
  [`${A}certificate-arn`]: cert,
  [`${A}ssl-redirect`]: '443',
};
const oidcIdp = JSON.stringify({
  issuer: 'https://idp.example.com',
  authorizationEndpoint: 'https://idp.example.com/authorize',
  tokenEndpoint: 'https://idp.example.com/token',
  userInfoEndpoint: 'https://idp.example.com/userinfo',
  secretName: 'oidc-client',
  authenticationRequestExtraParams: { prompt: 'login' },
});
const cognitoIdp = JSON.stringify({
  userPoolARN: 'arn:aws:cognito-idp:eu-west-1:111122223333:userpool/eu-west-1_abc',
  userPoolClientID: 'client-1',
  userPoolDomain: 'auth.example.com',
});
const jwt = JSON.stringify({
  issuer: 'https://issuer.example.com',
  jwksEndpoint: 'https://issuer.example.com/.well-known/jwks.json',
  additionalClaims: [{ format: 'string-array', name: 'scope', values: ['read', 'write'] }],
});
const clients = (entries: Record<string, OidcClient>): ReadonlyMap<string, OidcClient> =>
  new Map(Object.entries(entries));
const withSecret = env([web], {
  oidcClients: clients({
    'default/oidc-client': { clientId: 'my-client', clientSecretDigest: DIGEST },
  }),
});

interface Case {
  readonly name: string;
  readonly group: IngressGroup;
  readonly env?: Env;
}

const one = (
  annotations: Record<string, string>,
  extra: Partial<Parameters<typeof ingress>[1]> = {},
) =>
  group('default/app', [
    [
      ingress(
        'default/app',
        { rules: [rule('app.example.com', path('/', 'web', 80))], ...extra },
        annotations,
      ),
    ],
  ]);

const cases: readonly Case[] = [
  {
    name: 'auth-cognito',
    group: one(
      {
        ...https,
        [`${A}auth-type`]: 'cognito',
        [`${A}auth-idp-cognito`]: cognitoIdp,
        [`${A}auth-on-unauthenticated-request`]: 'deny',
        [`${A}auth-scope`]: 'openid email',
        [`${A}auth-session-timeout`]: '3600',
      },
      { defaultBackend: { service: { name: 'web', port: { number: 80 } } } },
    ),
  },
  {
    name: 'auth-oidc-secret',
    env: withSecret,
    group: one({ ...https, [`${A}auth-type`]: 'oidc', [`${A}auth-idp-oidc`]: oidcIdp }),
  },
  {
    name: 'auth-oidc-session-cookie',
    env: withSecret,
    group: one({
      ...https,
      [`${A}auth-type`]: 'oidc',
      [`${A}auth-idp-oidc`]: oidcIdp,
      [`${A}auth-session-cookie`]: 'shop-session',
      [`${A}auth-session-timeout`]: '900',
    }),
  },
  {
    name: 'auth-oidc-offline',
    group: one({ ...https, [`${A}auth-type`]: 'oidc', [`${A}auth-idp-oidc`]: oidcIdp }),
  },
  {
    name: 'auth-oidc-secret-missing-key',
    env: env([web], { oidcClients: clients({ 'default/oidc-client': { clientId: 'my-client' } }) }),
    group: one({ ...https, [`${A}auth-type`]: 'oidc', [`${A}auth-idp-oidc`]: oidcIdp }),
  },
  {
    name: 'auth-on-http-listener',
    group: one({ [`${A}auth-type`]: 'cognito', [`${A}auth-idp-cognito`]: cognitoIdp }),
  },
  {
    name: 'auth-service-overrides-ingress',
    env: env([
      service(
        'default/web',
        [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30080 }],
        'NodePort',
        {
          [`${A}auth-type`]: 'none',
        },
      ),
      service(
        'default/admin',
        [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30081 }],
        'NodePort',
        {
          [`${A}auth-on-unauthenticated-request`]: 'deny',
        },
      ),
    ]),
    group: group('default/app', [
      [
        ingress(
          'default/app',
          { rules: [rule('app.example.com', path('/', 'web', 80), path('/admin', 'admin', 80))] },
          { ...https, [`${A}auth-type`]: 'cognito', [`${A}auth-idp-cognito`]: cognitoIdp },
        ),
      ],
    ]),
  },
  {
    name: 'auth-errors',
    group: group('default/app', [
      [
        ingress(
          'default/bad-type',
          { rules: [rule('a.example.com', path('/', 'web', 80))] },
          { ...https, [`${A}auth-type`]: 'saml' },
        ),
      ],
      [
        ingress(
          'default/no-idp',
          { rules: [rule('b.example.com', path('/', 'web', 80))] },
          { ...https, [`${A}auth-type`]: 'oidc' },
        ),
      ],
      [
        ingress(
          'default/jwt-and-auth',
          { rules: [rule('c.example.com', path('/', 'web', 80))] },
          {
            ...https,
            [`${A}auth-type`]: 'cognito',
            [`${A}auth-idp-cognito`]: cognitoIdp,
            [`${A}jwt-validation`]: jwt,
          },
        ),
      ],
      [
        ingress(
          'default/bad-timeout',
          { rules: [rule('d.example.com', path('/', 'web', 80))] },
          {
            ...https,
            [`${A}auth-type`]: 'cognito',
            [`${A}auth-idp-cognito`]: cognitoIdp,
            [`${A}auth-session-timeout`]: '0',
          },
        ),
      ],
      [
        ingress(
          'default/no-secret',
          { rules: [rule('e.example.com', path('/', 'web', 80))] },
          { ...https, [`${A}auth-type`]: 'oidc', [`${A}auth-idp-oidc`]: oidcIdp },
        ),
      ],
    ]),
    env: env([web], { oidcClients: clients({}) }),
  },
  {
    name: 'jwt-validation',
    group: one({ ...https, [`${A}jwt-validation`]: jwt }),
  },
  {
    name: 'mutual-authentication-and-listener-attributes',
    group: group('default/app', [
      [
        ingress(
          'default/app',
          { rules: [rule('app.example.com', path('/', 'web', 80))] },
          {
            [`${A}listen-ports`]: '[{"HTTP":80},{"HTTPS":443},{"HTTPS":8443}]',
            [`${A}certificate-arn`]: cert,
            [`${A}mutual-authentication`]:
              '[{"port":443,"mode":"verify","trustStore":"my-store","ignoreClientCertificateExpiry":true},{"port":8443,"mode":"passthrough"}]',
            [`${A}listener-attributes.HTTPS-443`]:
              'routing.http.response.server.enabled=false,routing.http.response.strict_transport_security.header_value=max-age=31536000',
            [`${A}listener-attributes.HTTP-80`]: 'routing.http.response.server.enabled=false',
          },
        ),
      ],
      [
        ingress(
          'default/other',
          { rules: [rule('other.example.com', path('/', 'web', 80))] },
          {
            [`${A}listen-ports`]: '[{"HTTPS":443}]',
            [`${A}certificate-arn`]: cert,
            [`${A}mutual-authentication`]: '[{"port":443,"mode":"off"}]',
            [`${A}listener-attributes.HTTPS-8443`]: 'routing.http.response.server.enabled=true',
          },
        ),
      ],
    ]),
  },
];

function byName(name: string): Case {
  const found = cases.find((c) => c.name === name);
  assert.ok(found !== undefined, name);
  return found;
}

function report(c: Case): PlanReport {
  const built = buildStack(c.group, c.env ?? env([web]), config);
  const changes = planChanges(built.stack, null).map((ch) => ({
    stack: built.stack.id,
    op: ch.op,
    kind: ch.kind,
    id: ch.id,
    reason: ch.reason,
  }));
  return { stacks: [built.stack], changes, problems: built.problems, notes: [] };
}

describe('listener authentication and settings (golden)', () => {
  for (const c of cases) {
    it(`GIVEN ${c.name} THEN the stack, problems and plan match the golden`, () => {
      const r = report(c);
      assertGolden(`listener-auth/${c.name}`, {
        stack: r.stacks[0],
        problems: r.problems,
        plan: renderPlanText(r).split('\n'),
      });
    });
  }

  it('GIVEN an OIDC Secret THEN the plan shows where the secret comes from and its digest only', () => {
    const r = report(byName('auth-oidc-secret'));
    const text = renderPlanText(r);
    const json = renderPlanJson(r);
    assert.match(
      text,
      /secret <from Secret default\/oidc-client key clientSecret, sha256:1a2b3c4d5e6f7081>/,
    );
    assert.match(
      json,
      /"ClientSecret": "<from Secret default\/oidc-client key clientSecret, sha256:1a2b3c4d5e6f7081>"/,
    );
    for (const out of [text, json, JSON.stringify(r)]) assert.ok(!out.includes(SECRET_VALUE));
  });

  it('GIVEN auth on HTTPS with ssl-redirect THEN the auth action runs first and the HTTP listener only redirects', () => {
    const r = report(byName('auth-cognito'));
    const stack = r.stacks[0];
    const rule443 = stack?.rules.find((x) => x.listenerId === 'listener/443');
    assert.deepEqual(
      rule443?.actions.map((a) => [a.Type, a.Order]),
      [
        ['authenticate-cognito', 1],
        ['forward', 2],
      ],
    );
    const l443 = stack?.listeners.find((l) => l.port === 443);
    assert.equal(l443?.defaultActions[0]?.Type, 'authenticate-cognito');
    assert.equal(stack?.rules.filter((x) => x.listenerId === 'listener/80').length, 0);
    assert.deepEqual(r.problems, []);
  });

  it('GIVEN auth on a plain HTTP listener THEN the Ingress is frozen with an error, not served without auth', () => {
    const r = report(byName('auth-on-http-listener'));
    assert.deepEqual(r.stacks[0]?.frozenMembers, ['default/app']);
    const [first] = r.problems;
    assert.ok(first !== undefined);
    assert.equal(first.field, `${A}auth-type`);
    assert.match(first.message, /HTTPS listeners only.*HTTP port 80/);
  });
});
