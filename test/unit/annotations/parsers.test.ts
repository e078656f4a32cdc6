import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  parseAction,
  parseAttributes,
  parseBackendProtocol,
  parseBool,
  parseCertificateArns,
  parseConditions,
  parseHealthCheckPath,
  parseHealthCheckPort,
  parseInboundCidrs,
  parseIpAddressType,
  parseJson,
  parseListenPorts,
  parseLoadBalancerName,
  parseProtocolVersion,
  parseRewriteTarget,
  parseScheme,
  parseSslPolicy,
  parseSslRedirect,
  parseSuccessCodes,
  parseTags,
  parseTargetType,
  intIn,
  readIngressAnnotations,
  readTargetGroupAnnotations,
} from '../../../pkg/annotations/index.ts';
import type { Parser } from '../../../pkg/annotations/index.ts';

interface Case {
  readonly name: string;
  readonly parse: Parser<unknown>;
  readonly good: readonly (readonly [string, unknown])[];
  /** Bad values and a fragment the message must contain (what is allowed). */
  readonly bad: readonly (readonly [string, string])[];
}

const cases: readonly Case[] = [
  {
    name: 'scheme',
    parse: parseScheme,
    good: [
      ['internal', 'internal'],
      ['internet-facing', 'internet-facing'],
    ],
    bad: [
      ['public', "'internal', 'internet-facing'"],
      ['Internal', "'internal', 'internet-facing'"],
    ],
  },
  {
    name: 'ip-address-type',
    parse: parseIpAddressType,
    good: [['dualstack', 'dualstack']],
    bad: [['ipv6', "'ipv4', 'dualstack', 'dualstack-without-public-ipv4'"]],
  },
  {
    name: 'bool',
    parse: parseBool,
    good: [
      ['true', true],
      ['false', false],
    ],
    bad: [['yes', "'true' or 'false'"]],
  },
  {
    name: 'int',
    parse: intIn(2, 10),
    good: [['7', 7]],
    bad: [
      ['1', 'from 2 to 10'],
      ['3.5', 'from 2 to 10'],
      ['', 'from 2 to 10'],
    ],
  },
  {
    name: 'inbound-cidrs',
    parse: parseInboundCidrs,
    good: [
      [
        '10.0.0.0/8, 2600:1f00::/40',
        [
          { cidr: '10.0.0.0/8', family: 'ipv4' },
          { cidr: '2600:1f00::/40', family: 'ipv6' },
        ],
      ],
    ],
    bad: [
      ['10.0.0.0/33', "entry '10.0.0.0/33' must be a CIDR"],
      ['300.1.1.1/8', 'must be a CIDR'],
      ['10.0.0.0', 'must be a CIDR'],
      ['', 'at least one entry'],
    ],
  },
  {
    name: 'load-balancer-name',
    parse: parseLoadBalancerName,
    good: [['my-alb-1', 'my-alb-1']],
    bad: [
      ['a'.repeat(33), 'is 33 characters'],
      ['-lead', 'not start or end with a hyphen'],
      ['internal-web', 'not start with internal-'],
      ['under_score', 'letters, digits or hyphens'],
    ],
  },
  {
    name: 'tags',
    parse: parseTags,
    good: [['team=web, env=prod', { team: 'web', env: 'prod' }]],
    bad: [
      ['team', 'must be key=value'],
      ['aws:x=1', 'reserved by AWS'],
      ['albatross.dev/cluster=x', 'ownership tags'],
      ['a=1,a=2', 'given twice'],
    ],
  },
  {
    name: 'load-balancer-attributes',
    parse: parseAttributes,
    good: [['idle_timeout.timeout_seconds=60', { 'idle_timeout.timeout_seconds': '60' }]],
    bad: [['Idle=1', 'lower-case letters']],
  },
  {
    name: 'listen-ports',
    parse: parseListenPorts,
    good: [
      [
        '[{"HTTP": 80}, {"HTTPS": 443}]',
        [
          { protocol: 'HTTP', port: 80 },
          { protocol: 'HTTPS', port: 443 },
        ],
      ],
    ],
    bad: [
      ['[{"HTTP": 80}', 'at position 13 (line 1, column 14)'],
      ['[{"TCP": 80}]', "protocol 'TCP' is not allowed"],
      ['[{"HTTP": 0}]', 'ports 1..65535'],
      ['[{"HTTP": 70000}]', 'ports 1..65535'],
      ['[{"HTTP": 80}, {"HTTPS": 80}]', 'one protocol per port'],
      ['{"HTTP": 80}', 'non-empty JSON list'],
    ],
  },
  {
    name: 'certificate-arn',
    parse: parseCertificateArns,
    good: [['arn:aws:acm:eu-west-1:1:certificate/a', ['arn:aws:acm:eu-west-1:1:certificate/a']]],
    bad: [['my-cert', 'certificate ARN']],
  },
  {
    name: 'ssl-policy',
    parse: parseSslPolicy,
    good: [['ELBSecurityPolicy-TLS13-1-2-2021-06', 'ELBSecurityPolicy-TLS13-1-2-2021-06']],
    bad: [['bad policy', 'security policy']],
  },
  {
    name: 'ssl-redirect',
    parse: parseSslRedirect,
    good: [['443', 443]],
    bad: [['https', 'from 1 to 65535']],
  },
  {
    name: 'target-type',
    parse: parseTargetType,
    good: [['ip', 'ip']],
    bad: [['pod', "'instance', 'ip'"]],
  },
  {
    name: 'backend-protocol',
    parse: parseBackendProtocol,
    good: [['HTTPS', 'HTTPS']],
    bad: [['https', "'HTTP', 'HTTPS'"]],
  },
  {
    name: 'backend-protocol-version',
    parse: parseProtocolVersion,
    good: [['GRPC', 'GRPC']],
    bad: [['HTTP3', "'HTTP1', 'HTTP2', 'GRPC'"]],
  },
  {
    name: 'healthcheck-port',
    parse: parseHealthCheckPort,
    good: [
      ['traffic-port', { kind: 'traffic-port' }],
      ['8080', { kind: 'number', port: 8080 }],
      ['metrics', { kind: 'name', name: 'metrics' }],
    ],
    bad: [
      ['99999', "'traffic-port', a port number"],
      ['Bad_Name', "'traffic-port', a port number"],
    ],
  },
  {
    name: 'healthcheck-path',
    parse: parseHealthCheckPath,
    good: [['/healthz', '/healthz']],
    bad: [['healthz', "starting with '/'"]],
  },
  {
    name: 'success-codes',
    parse: parseSuccessCodes,
    good: [
      ['200', '200'],
      ['200,201', '200,201'],
      ['200-299', '200-299'],
      ['12', '12'],
    ],
    bad: [
      ['299-200', "'200-299'"],
      ['600', "'200-299'"],
      ['ok', "'200-299'"],
    ],
  },
  {
    name: 'rewrite-target',
    parse: parseRewriteTarget,
    good: [['/', '/']],
    bad: [
      ['/$1', 'capture groups'],
      ['/\\1', 'capture groups'],
      ['api', "starting with '/'"],
    ],
  },
];

describe('annotation parsers', () => {
  for (const c of cases) {
    describe(c.name, () => {
      for (const [raw, expected] of c.good) {
        it(`GIVEN ${JSON.stringify(raw)} THEN it reads as ${JSON.stringify(expected)}`, () => {
          assert.deepEqual(c.parse(raw), { ok: true, value: expected });
        });
      }
      for (const [raw, fragment] of c.bad) {
        it(`GIVEN ${JSON.stringify(raw)} THEN the message says what is allowed`, () => {
          const r = c.parse(raw);
          assert.equal(r.ok, false);
          assert.ok(r.message.includes(fragment), `${r.message} should include ${fragment}`);
        });
      }
    });
  }
});

describe('JSON reader', () => {
  it('GIVEN malformed JSON THEN the message names the position, line and column', () => {
    const r = parseJson('{\n  "a": tru }');
    assert.equal(r.ok, false);
    assert.match(r.message, /line 2, column 8/);
  });
  it('GIVEN nested values THEN they read as JSON.parse reads them', () => {
    const text = '{"a":[1,-2.5e3,"x\\u0041\\n",true,null,{}]}';
    assert.deepEqual(parseJson(text), { ok: true, value: JSON.parse(text) as unknown });
  });
  it('GIVEN trailing text THEN it is refused', () => {
    assert.equal(parseJson('[1] x').ok, false);
  });
});

describe('actions.${name}', () => {
  it('GIVEN a fixed-response THEN it reads in ELBv2 shape', () => {
    const r = parseAction(
      '{"type":"fixed-response","fixedResponseConfig":{"contentType":"text/plain","statusCode":"503","messageBody":"down"}}',
    );
    assert.deepEqual(r, {
      ok: true,
      value: {
        type: 'fixed-response',
        config: { StatusCode: '503', ContentType: 'text/plain', MessageBody: 'down' },
      },
    });
  });
  it('GIVEN a redirect THEN it reads in ELBv2 shape', () => {
    const r = parseAction(
      '{"Type":"redirect","RedirectConfig":{"Protocol":"HTTPS","Port":"443","StatusCode":"HTTP_301"}}',
    );
    assert.deepEqual(r, {
      ok: true,
      value: {
        type: 'redirect',
        config: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' },
      },
    });
  });
  it('GIVEN a weighted forward with stickiness THEN every target reads', () => {
    const r = parseAction(
      JSON.stringify({
        type: 'forward',
        forwardConfig: {
          targetGroups: [
            { serviceName: 'a', servicePort: '80', weight: 20 },
            { serviceName: 'b', servicePort: 'http', weight: 20 },
            { targetGroupARN: 'arn:aws:elasticloadbalancing:x', weight: 60 },
          ],
          targetGroupStickinessConfig: { enabled: true, durationSeconds: 200 },
        },
      }),
    );
    assert.deepEqual(r, {
      ok: true,
      value: {
        type: 'forward',
        targets: [
          { kind: 'service', serviceName: 'a', servicePort: 80, weight: 20 },
          { kind: 'service', serviceName: 'b', servicePort: 'http', weight: 20 },
          { kind: 'arn', targetGroupArn: 'arn:aws:elasticloadbalancing:x', weight: 60 },
        ],
        stickiness: { enabled: true, durationSeconds: 200 },
      },
    });
  });
  const bad: readonly (readonly [string, string])[] = [
    ['{"type":"forward"', 'invalid JSON'],
    ['{"type":"teleport"}', 'type "teleport" is not allowed'],
    ['{"type":"fixed-response","fixedResponseConfig":{"statusCode":"302"}}', '2XX, 4XX or 5XX'],
    ['{"type":"redirect","redirectConfig":{"statusCode":"HTTP_307"}}', "'HTTP_301' or 'HTTP_302'"],
    ['{"type":"redirect","redirectConfig":{"statusCode":"HTTP_301"}}', 'at least one of'],
    [
      '{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"a","servicePort":80,"weight":1000}]}}',
      'from 0 to 999',
    ],
    ['{"type":"forward","targetGroupARN":"arn:x","targetGroupName":"y"}', 'exactly one of'],
  ];
  for (const [raw, fragment] of bad) {
    it(`GIVEN ${raw} THEN it is refused with '${fragment}'`, () => {
      const r = parseAction(raw);
      assert.equal(r.ok, false);
      assert.ok(r.message.includes(fragment), r.message);
    });
  }
});

describe('conditions.${name}', () => {
  it('GIVEN every condition field THEN each reads in ELBv2 shape', () => {
    const r = parseConditions(
      JSON.stringify([
        { field: 'http-header', httpHeaderConfig: { httpHeaderName: 'X-Env', values: ['beta'] } },
        { field: 'query-string', queryStringConfig: { values: [{ key: 'v', value: '2' }] } },
        { field: 'http-request-method', httpRequestMethodConfig: { values: ['GET'] } },
        { field: 'source-ip', sourceIpConfig: { values: ['10.0.0.0/8'] } },
        { field: 'host-header', hostHeaderConfig: { regexValues: ['^a\\.b$'] } },
      ]),
    );
    assert.deepEqual(r, {
      ok: true,
      value: [
        { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Env', Values: ['beta'] } },
        { Field: 'query-string', QueryStringConfig: { Values: [{ Key: 'v', Value: '2' }] } },
        { Field: 'http-request-method', HttpRequestMethodConfig: { Values: ['GET'] } },
        { Field: 'source-ip', SourceIpConfig: { Values: ['10.0.0.0/8'] } },
        { Field: 'host-header', HostHeaderConfig: { RegexValues: ['^a\\.b$'] } },
      ],
    });
  });
  const bad: readonly (readonly [string, string])[] = [
    [
      '[{"field":"path-pattern","pathPatternConfig":{"values":["/a"],"regexValues":["^/a$"]}}]',
      'both values and regexValues',
    ],
    ['[{"field":"cookie"}]', 'is not allowed'],
    ['[{"field":"source-ip","sourceIpConfig":{"values":["nope"]}}]', 'must be a CIDR'],
    [
      '[{"field":"http-request-method","httpRequestMethodConfig":{"values":["get"]}}]',
      'upper-case',
    ],
    ['[{"field":', 'invalid JSON'],
  ];
  for (const [raw, fragment] of bad) {
    it(`GIVEN ${raw} THEN it is refused with '${fragment}'`, () => {
      const r = parseConditions(raw);
      assert.equal(r.ok, false);
      assert.ok(r.message.includes(fragment), r.message);
    });
  }
});

describe('reading an Ingress', () => {
  it('GIVEN bad annotations THEN each error names the full annotation and the value verbatim', () => {
    const { errors } = readIngressAnnotations({
      'alb.ingress.kubernetes.io/scheme': 'public',
      'alb.ingress.kubernetes.io/actions.x': '{',
      'alb.ingress.kubernetes.io/healthcheck-interval-seconds': '1',
    });
    assert.deepEqual(
      errors.map((e) => [e.field, e.value]),
      [
        ['alb.ingress.kubernetes.io/actions.x', '{'],
        ['alb.ingress.kubernetes.io/healthcheck-interval-seconds', '1'],
        ['alb.ingress.kubernetes.io/scheme', 'public'],
      ],
    );
  });
  it('GIVEN the same target-group setting on Service and Ingress THEN the Service wins', () => {
    const { value } = readTargetGroupAnnotations(
      {
        'alb.ingress.kubernetes.io/healthcheck-path': '/ing',
        'alb.ingress.kubernetes.io/target-type': 'ip',
      },
      { 'alb.ingress.kubernetes.io/healthcheck-path': '/svc' },
      'default/s',
    );
    assert.equal(value.healthCheckPath, '/svc');
    assert.equal(value.targetType, 'ip');
  });
  it('GIVEN a bad Service annotation THEN the message names the Service', () => {
    const { errors } = readTargetGroupAnnotations(
      undefined,
      { 'alb.ingress.kubernetes.io/target-type': 'pod' },
      'default/s',
    );
    assert.equal(errors[0]?.field, 'alb.ingress.kubernetes.io/target-type');
    assert.match(errors[0].message, /^on Service default\/s: /);
  });
});
