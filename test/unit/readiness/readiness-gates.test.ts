import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Pod, V1Service } from '@kubernetes/client-node';
import {
  buildStack,
  gateVerdict,
  gatedAddresses,
  gatesForPod,
  ingressPodRoutes,
  readinessGatePatch,
  serviceSelectorMatches as selectorMatches,
  type PodRoute,
  type TargetGroupHealth,
} from '../../../pkg/translate/index.ts';
import { config, env, group, ingress, path, rule, service, slice } from '../translate/fixtures.ts';
import { assertGolden } from '../translate/golden.ts';

const GATE = 'target-health.elbv2.k8s.aws/';

function pod(
  namespace: string,
  labels: Record<string, string> | undefined,
  extra: Partial<V1Pod> = {},
): V1Pod {
  return {
    metadata: { name: 'p', namespace, ...(labels !== undefined ? { labels } : {}) },
    spec: { containers: [{ name: 'app' }] },
    ...extra,
  };
}

const route = (gate: string, namespace: string, selector: Record<string, string>): PodRoute => ({
  gate: `${GATE}${gate}`,
  namespace,
  service: 'web',
  selector,
  targetGroup: { kind: 'name', name: gate },
});

/** A fixture Service with a selector (the fixtures make them without). */
function selecting(s: V1Service, selector: Record<string, string>): V1Service {
  if (s.spec !== undefined) s.spec.selector = selector;
  return s;
}

const podsService = selecting(
  service('shop/pods', [{ name: 'http', port: 80, targetPort: 8080 }], 'ClusterIP'),
  { app: 'pods' },
);
const ipGroup = group('shop/web', [
  [
    ingress(
      'shop/web',
      { rules: [rule(undefined, path('/', 'pods', 80))] },
      { 'alb.ingress.kubernetes.io/target-type': 'ip' },
    ),
  ],
]);

describe('readiness gates: which target groups route to a pod', () => {
  it('GIVEN selectors THEN a pod matches when its labels carry all of one, never an empty one', () => {
    assert.equal(selectorMatches({ app: 'web' }, { app: 'web', tier: 'x' }), true);
    assert.equal(selectorMatches({ app: 'web', tier: 'y' }, { app: 'web', tier: 'x' }), false);
    assert.equal(selectorMatches({ app: 'web' }, undefined), false);
    assert.equal(selectorMatches({}, { app: 'web' }), false);
  });

  it('GIVEN an ip-mode Ingress THEN its target group is a route named after the target group', () => {
    const { stack } = buildStack(ipGroup, env([podsService]), config);
    const tg = stack.targetGroups[0];
    assert.ok(tg !== undefined);
    const routes = ingressPodRoutes(stack, env([podsService]).services);
    assert.deepEqual(routes, [
      {
        gate: `${GATE}${tg.name}`,
        namespace: 'shop',
        service: 'pods',
        selector: { app: 'pods' },
        targetGroup: { kind: 'name', name: tg.name },
      },
    ]);
    // A condition type's name part is at most 63 characters; ours are at most 32.
    assert.ok(tg.name.length <= 32);
  });

  it('GIVEN an instance-mode Ingress or a Service without selector THEN no route', () => {
    const instance = group('shop/web', [
      [ingress('shop/web', { rules: [rule(undefined, path('/', 'pods', 80))] })],
    ]);
    const nodePort = service('shop/pods', [
      { name: 'http', port: 80, targetPort: 8080, nodePort: 30080 },
    ]);
    selecting(nodePort, { app: 'pods' });
    const a = buildStack(instance, env([nodePort]), config).stack;
    assert.deepEqual(ingressPodRoutes(a, env([nodePort]).services), []);
    const bare = service('shop/pods', [{ name: 'http', port: 80, targetPort: 8080 }], 'ClusterIP');
    const b = buildStack(ipGroup, env([bare]), config).stack;
    assert.deepEqual(ingressPodRoutes(b, env([bare]).services), []);
  });

  it('GIVEN routes in several namespaces THEN a pod gets the gates of its own namespace that select it, sorted, once each', () => {
    const routes = [
      route('tg-b', 'shop', { app: 'web' }),
      route('tg-a', 'shop', { app: 'web', tier: 'front' }),
      route('tg-b', 'shop', { tier: 'front' }),
      route('tg-c', 'other', { app: 'web' }),
      route('tg-d', 'shop', { app: 'api' }),
    ];
    assert.deepEqual(gatesForPod(pod('shop', { app: 'web', tier: 'front' }), routes), [
      `${GATE}tg-a`,
      `${GATE}tg-b`,
    ]);
    assert.deepEqual(gatesForPod(pod('shop', undefined), routes), []);
  });
});

describe('readiness gates: the admission patch', () => {
  it('GIVEN a pod without gates or labels THEN the patch adds both', () => {
    assert.deepEqual(readinessGatePatch(pod('shop', undefined), [`${GATE}a`]), [
      { op: 'add', path: '/spec/readinessGates', value: [{ conditionType: `${GATE}a` }] },
      {
        op: 'add',
        path: '/metadata/labels',
        value: { 'albatross.dev/readiness-gates': 'injected' },
      },
    ]);
  });

  it('GIVEN a pod with another gate and labels THEN only missing gates are appended and the label key is escaped', () => {
    const p = pod(
      'shop',
      { app: 'web' },
      {
        spec: {
          containers: [],
          readinessGates: [{ conditionType: 'example.com/mine' }, { conditionType: `${GATE}a` }],
        },
      },
    );
    assert.deepEqual(readinessGatePatch(p, [`${GATE}a`, `${GATE}b`]), [
      { op: 'add', path: '/spec/readinessGates/-', value: { conditionType: `${GATE}b` } },
      { op: 'add', path: '/metadata/labels/albatross.dev~1readiness-gates', value: 'injected' },
    ]);
  });

  it('GIVEN no gate to add THEN no patch at all', () => {
    assert.deepEqual(readinessGatePatch(pod('shop', { app: 'web' }), []), []);
  });
});

describe('readiness gates: the condition', () => {
  const r = route('tg', 'shop', { app: 'web' });
  const known = (
    ...targets: { id: string; port: number; state: string; reason?: string }[]
  ): TargetGroupHealth => ({ kind: 'known', targets });

  const cases: readonly [string, Parameters<typeof gateVerdict>, string, string][] = [
    [
      'healthy',
      ['10.0.0.1', r, known({ id: '10.0.0.1', port: 8080, state: 'healthy' })],
      'True',
      'Healthy',
    ],
    [
      'one of two ports still initial',
      [
        '10.0.0.1',
        r,
        known(
          { id: '10.0.0.1', port: 8080, state: 'healthy' },
          { id: '10.0.0.1', port: 9090, state: 'initial', reason: 'Elb.RegistrationInProgress' },
        ),
      ],
      'False',
      'Elb.RegistrationInProgress',
    ],
    [
      'unhealthy without reason',
      ['10.0.0.1', r, known({ id: '10.0.0.1', port: 8080, state: 'unhealthy' })],
      'False',
      'Target.unhealthy',
    ],
    [
      'not registered',
      ['10.0.0.1', r, known({ id: '10.0.0.9', port: 8080, state: 'healthy' })],
      'False',
      'Target.NotRegistered',
    ],
    ['no IP yet', [undefined, r, known()], 'False', 'PodIPUnknown'],
    [
      'target group not created yet',
      ['10.0.0.1', r, { kind: 'gone' }],
      'False',
      'TargetGroupNotFound',
    ],
    ['no longer routed to', ['10.0.0.1', undefined, undefined], 'True', 'NoLongerTarget'],
  ];
  for (const [name, args, status, reason] of cases) {
    it(`GIVEN ${name} THEN ${status} (${reason})`, () => {
      const v = gateVerdict(...args);
      assert.equal(v.status, status);
      assert.equal(v.reason, reason);
      assert.notEqual(v.message, '');
    });
  }
});

describe('readiness gates: registration before the endpoint is ready', () => {
  const gated = (ip: string, extra: Partial<V1Pod['status']> = {}): V1Pod =>
    pod(
      'shop',
      { app: 'pods' },
      {
        spec: { containers: [], readinessGates: [{ conditionType: `${GATE}tg` }] },
        status: {
          podIP: ip,
          conditions: [{ type: 'ContainersReady', status: 'True' }],
          ...extra,
        },
      },
    );

  it('GIVEN gated pods THEN only those with ready containers, an IP and no deletion count', () => {
    const terminating = gated('10.0.0.4');
    if (terminating.metadata !== undefined) terminating.metadata.deletionTimestamp = new Date(0);
    const addresses = gatedAddresses([
      gated('10.0.0.1'),
      gated('10.0.0.2', { conditions: [{ type: 'ContainersReady', status: 'False' }] }),
      gated('10.0.0.3', {
        conditions: [
          { type: 'ContainersReady', status: 'True' },
          { type: `${GATE}tg`, status: 'True' },
        ],
      }),
      terminating,
      pod('shop', { app: 'pods' }, { status: { podIP: '10.0.0.5' } }),
    ]);
    assert.deepEqual(
      [...addresses].map(([g, ips]) => [g, [...ips].sort()]),
      [[`${GATE}tg`, ['10.0.0.1', '10.0.0.3']]],
    );
  });

  it('GIVEN a not-ready endpoint of a gated pod THEN the stack registers it (golden)', () => {
    const slices = new Map([
      [
        'shop/pods',
        [
          slice(
            'pods',
            8080,
            [
              ['10.0.0.1', true],
              ['10.0.0.2', false],
              ['10.0.0.3', false],
            ],
            'http',
          ),
        ],
      ],
    ]);
    const offline = buildStack(
      ipGroup,
      env([podsService], { endpointSlices: slices }),
      config,
    ).stack;
    const name = offline.targetGroups[0]?.name ?? '';
    assert.deepEqual(offline.targetGroups[0]?.targets, [{ id: '10.0.0.1', port: 8080 }]);
    const { stack } = buildStack(
      ipGroup,
      env([podsService], {
        endpointSlices: slices,
        gatedAddresses: new Map([[`${GATE}${name}`, new Set(['10.0.0.2'])]]),
      }),
      config,
    );
    assertGolden('readiness-gate-targets', stack);
    assert.deepEqual(stack.targetGroups[0]?.targets, [
      { id: '10.0.0.1', port: 8080 },
      { id: '10.0.0.2', port: 8080 },
    ]);
  });
});
