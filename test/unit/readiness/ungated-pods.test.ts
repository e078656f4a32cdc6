/**
 * Which pods should carry a readiness gate and do not: the suspects from the caches
 * (no API call), then the pods the shell listed checked against them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1EndpointSlice, V1Pod } from '@kubernetes/client-node';
import { podsMissingGate, ungatedSuspects, type PodRoute } from '../../../pkg/translate/index.ts';

const GATE = 'target-health.elbv2.k8s.aws/k8s-shop-web-1a2b3c4d5e';

const route: PodRoute = {
  gate: GATE,
  namespace: 'shop',
  service: 'web',
  selector: { app: 'web' },
  targetGroup: { kind: 'name', name: 'k8s-shop-web-1a2b3c4d5e' },
};

function slice(ips: readonly string[]): V1EndpointSlice {
  return {
    addressType: 'IPv4',
    endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
  };
}

interface PodOptions {
  readonly gate?: string;
  readonly app?: string;
  readonly phase?: string;
  readonly deleting?: boolean;
}

function pod(name: string, ip: string, o: PodOptions = {}): V1Pod {
  return {
    metadata: {
      name,
      namespace: 'shop',
      uid: `uid-${name}`,
      labels: { app: o.app ?? 'web' },
      ...(o.deleting === true ? { deletionTimestamp: new Date(0) } : {}),
    },
    spec: {
      containers: [],
      ...(o.gate !== undefined ? { readinessGates: [{ conditionType: o.gate }] } : {}),
    },
    status: { phase: o.phase ?? 'Running', podIP: ip },
  };
}

const slices = new Map([['shop/web', [slice(['10.0.0.1', '10.0.0.2', '10.0.0.3'])]]]);

describe('ungated pods', () => {
  it('GIVEN endpoints of a gated route WHEN some have no gated pod in the cache THEN those addresses are suspects', () => {
    const gated = [pod('a', '10.0.0.1', { gate: GATE })];
    assert.deepEqual(ungatedSuspects([route], slices, gated), [
      { route, ips: ['10.0.0.2', '10.0.0.3'] },
    ]);
  });

  it('GIVEN every endpoint is a gated pod THEN there is no suspect (the steady state lists nothing)', () => {
    const ips = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];
    const gated = ips.map((ip, i) => pod(`p${String(i)}`, ip, { gate: GATE }));
    assert.deepEqual(ungatedSuspects([route], slices, gated), []);
    // A gated pod of another gate does not account for this one.
    const other = ips.map((ip, i) => pod(`p${String(i)}`, ip, { gate: `${GATE}x` }));
    assert.equal(ungatedSuspects([route], slices, other)[0]?.ips.length, 3);
  });

  it('GIVEN the listed pods THEN only running ones at a suspect address, selected by the route and without the gate, lack it', () => {
    const suspects = { route, ips: ['10.0.0.2', '10.0.0.3', '10.0.0.4'] };
    const listed = [
      pod('ungated', '10.0.0.2'),
      // The cache had not seen it yet: it has the gate.
      pod('late-in-cache', '10.0.0.3', { gate: GATE }),
      // Not a suspect address.
      pod('elsewhere', '10.0.0.9'),
      // Not selected by the route.
      pod('other-app', '10.0.0.4', { app: 'api' }),
      pod('finished', '10.0.0.4', { phase: 'Succeeded' }),
      pod('leaving', '10.0.0.4', { deleting: true }),
    ];
    assert.deepEqual(
      podsMissingGate(suspects, listed).map((p) => p.metadata?.name),
      ['ungated'],
    );
  });
});
