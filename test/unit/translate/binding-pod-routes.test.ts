import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import {
  bindingPodRoutes,
  bindingTargets,
  gatedAddresses,
  gatesForPod,
} from '../../../pkg/translate/index.ts';

function svc(name: string, selector?: Record<string, string>): V1Service {
  return {
    metadata: { name, namespace: 'ns' },
    spec: {
      ...(selector !== undefined ? { selector } : {}),
      ports: [{ name: 'http', port: 80, targetPort: 8080 }],
    },
  };
}

const services = new Map([
  ['ns/web', svc('web', { app: 'web' })],
  ['ns/manual', svc('manual')],
  ['ns/empty', svc('empty', {})],
]);

function binding(name: string, spec: Record<string, unknown>, namespace = 'ns') {
  return { metadata: { name, namespace }, spec };
}

describe('bindingPodRoutes', () => {
  it('an ip binding routes by ARN, gated by its name, selecting what its Service selects', () => {
    const routes = bindingPodRoutes(
      'ns',
      [binding('b', { targetGroupARN: 'arn:tg/1', serviceRef: { name: 'web', port: 80 } })],
      services,
    );
    assert.deepEqual(routes, [
      {
        gate: 'target-health.elbv2.k8s.aws/b',
        namespace: 'ns',
        service: 'web',
        selector: { app: 'web' },
        targetGroup: { kind: 'arn', arn: 'arn:tg/1' },
      },
    ]);
  });

  it('a binding by target group name routes by name', () => {
    const [route] = bindingPodRoutes(
      'ns',
      [
        binding('b', {
          targetGroupName: 'my-tg',
          targetType: 'ip',
          serviceRef: { name: 'web', port: 'http' },
        }),
      ],
      services,
    );
    assert.deepEqual(route?.targetGroup, { kind: 'name', name: 'my-tg' });
  });

  it('instance bindings, other namespaces, invalid specs and selector-less Services: none', () => {
    const routes = bindingPodRoutes(
      'ns',
      [
        binding('inst', {
          targetGroupARN: 'a',
          targetType: 'instance',
          serviceRef: { name: 'web', port: 80 },
        }),
        binding('elsewhere', { targetGroupARN: 'a', serviceRef: { name: 'web', port: 80 } }, 'ns2'),
        binding('bad', { serviceRef: { name: 'web', port: 80 } }),
        binding('nosvc', { targetGroupARN: 'a', serviceRef: { name: 'gone', port: 80 } }),
        binding('manual', { targetGroupARN: 'a', serviceRef: { name: 'manual', port: 80 } }),
        binding('empty', { targetGroupARN: 'a', serviceRef: { name: 'empty', port: 80 } }),
      ],
      services,
    );
    assert.deepEqual(routes, []);
  });

  it('the webhook gives a selected pod the gate; an unselected one none', () => {
    const routes = bindingPodRoutes(
      'ns',
      [binding('b', { targetGroupARN: 'a', serviceRef: { name: 'web', port: 80 } })],
      services,
    );
    const pod = (labels: Record<string, string>) => ({ metadata: { namespace: 'ns', labels } });
    assert.deepEqual(gatesForPod(pod({ app: 'web', x: '1' }), routes), [
      'target-health.elbv2.k8s.aws/b',
    ]);
    assert.deepEqual(gatesForPod(pod({ app: 'api' }), routes), []);
  });
});

describe('bindingTargets with gated pods', () => {
  const slices: V1EndpointSlice[] = [
    {
      addressType: 'IPv4',
      endpoints: [
        { addresses: ['10.0.0.1'], conditions: { ready: true } },
        { addresses: ['10.0.0.2'], conditions: { ready: false } },
        { addresses: ['10.0.0.3'], conditions: { ready: false } },
      ],
      ports: [{ name: 'http', port: 8080 }],
    },
  ];
  const gated = gatedAddresses([
    {
      metadata: { name: 'p2', namespace: 'ns' },
      spec: {
        containers: [],
        readinessGates: [{ conditionType: 'target-health.elbv2.k8s.aws/b' }],
      },
      status: { podIP: '10.0.0.2', conditions: [{ type: 'ContainersReady', status: 'True' }] },
    },
  ]);
  const spec = { targetGroupARN: 'a', serviceRef: { name: 'web', port: 80 } };
  const inputs = { service: svc('web', { app: 'web' }), slices, nodes: [] };

  it('registers a not-ready endpoint whose pod waits on the binding gate', () => {
    const out = bindingTargets(spec, 'ip', {
      ...inputs,
      gated: gated.get('target-health.elbv2.k8s.aws/b') ?? new Set(),
    });
    assert.deepEqual(out, {
      ok: true,
      value: [
        { id: '10.0.0.1', port: 8080 },
        { id: '10.0.0.2', port: 8080 },
      ],
    });
  });

  it('without the gate only ready endpoints are targets', () => {
    assert.deepEqual(bindingTargets(spec, 'ip', inputs), {
      ok: true,
      value: [{ id: '10.0.0.1', port: 8080 }],
    });
  });
});
