import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { V1EndpointSlice, V1Node, V1Pod, V1Service } from '@kubernetes/client-node';

import { targetDiff } from '../../../pkg/plan/index.ts';
import {
  bindingReadinessGates,
  bindingRules,
  bindingTargets,
  parseBindingSpec,
  selectorMatches,
} from '../../../pkg/translate/index.ts';
import type { TargetGroupBindingSpec } from '../../../pkg/translate/index.ts';

const service: V1Service = {
  metadata: { name: 'web', namespace: 'ns' },
  spec: {
    type: 'NodePort',
    selector: { app: 'web' },
    ports: [{ name: 'http', port: 80, targetPort: 'http-pod', nodePort: 30080 }],
  },
};

const slices: V1EndpointSlice[] = [
  {
    addressType: 'IPv4',
    endpoints: [
      { addresses: ['10.0.0.2'], conditions: { ready: true } },
      { addresses: ['10.0.0.1'], conditions: { ready: true } },
      { addresses: ['10.0.0.3'], conditions: { ready: false } },
    ],
    ports: [{ name: 'http', port: 8080 }],
  },
];

function node(name: string, zone: string, ready = true): V1Node {
  return {
    metadata: { name, labels: { 'topology.kubernetes.io/zone': zone } },
    spec: { providerID: `aws:///${zone}/i-${name}` },
    status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

function spec(extra: Partial<TargetGroupBindingSpec> = {}): TargetGroupBindingSpec {
  return { targetGroupARN: 'arn:tg', serviceRef: { name: 'web', port: 80 }, ...extra };
}

describe('parseBindingSpec', () => {
  it('names the field, the value and what is allowed', () => {
    const r = parseBindingSpec({
      targetGroupARN: 'a',
      targetType: 'lambda',
      serviceRef: { name: 's', port: 1 },
    });
    assert.deepEqual(r, {
      ok: false,
      error: 'spec.targetType: "lambda" is not allowed; allowed: instance, ip',
    });
    const none = parseBindingSpec({ serviceRef: { name: 's', port: 1 } });
    assert.equal(none.ok, false);
    const peer = parseBindingSpec({
      targetGroupName: 'n',
      serviceRef: { name: 's', port: 'http' },
      networking: { ingress: [{ from: [{}], ports: [] }] },
    });
    assert.deepEqual(peer, {
      ok: false,
      error:
        'spec.networking.ingress[0].from[0]: needs exactly one of ipBlock.cidr or securityGroup.groupID',
    });
  });
});

describe('bindingTargets', () => {
  it('ip: the ready endpoints of the port, sorted', () => {
    const r = bindingTargets(spec(), 'ip', { service, slices, nodes: [] });
    assert.deepEqual(r, {
      ok: true,
      value: [
        { id: '10.0.0.1', port: 8080 },
        { id: '10.0.0.2', port: 8080 },
      ],
    });
  });

  it('instance: ready nodes matching nodeSelector, on the NodePort; port by name', () => {
    const nodes = [
      node('a', 'us-east-1a'),
      node('b', 'us-east-1b'),
      node('c', 'us-east-1a', false),
    ];
    const r = bindingTargets(
      spec({
        serviceRef: { name: 'web', port: 'http' },
        nodeSelector: {
          matchExpressions: [
            { key: 'topology.kubernetes.io/zone', operator: 'In', values: ['us-east-1a'] },
          ],
        },
      }),
      'instance',
      { service, slices, nodes },
    );
    assert.deepEqual(r, { ok: true, value: [{ id: 'i-a', port: 30080 }] });
  });

  it('a port the Service does not have is an error listing what it has', () => {
    const r = bindingTargets(spec({ serviceRef: { name: 'web', port: 443 } }), 'ip', {
      service,
      slices,
      nodes: [],
    });
    assert.deepEqual(r, {
      ok: false,
      error: 'spec.serviceRef.port: "443" is not a port of Service web; it has: http/80',
    });
  });

  it('instance mode without a NodePort says what to change', () => {
    const clusterIp: V1Service = {
      metadata: { name: 'web', namespace: 'ns' },
      spec: { type: 'ClusterIP', ports: [{ name: 'http', port: 80 }] },
    };
    const r = bindingTargets(spec(), 'instance', { service: clusterIp, slices, nodes: [] });
    assert.ok(!r.ok);
    assert.match(r.error, /needs a NodePort.*type ClusterIP/);
  });
});

describe('selectorMatches', () => {
  it('follows label-selector semantics', () => {
    const labels = { a: '1', b: '2' };
    assert.equal(selectorMatches(undefined, labels), true);
    assert.equal(selectorMatches({ matchLabels: { a: '1' } }, labels), true);
    assert.equal(selectorMatches({ matchLabels: { a: '2' } }, labels), false);
    assert.equal(
      selectorMatches({ matchExpressions: [{ key: 'c', operator: 'DoesNotExist' }] }, labels),
      true,
    );
    assert.equal(
      selectorMatches(
        { matchExpressions: [{ key: 'b', operator: 'NotIn', values: ['2'] }] },
        labels,
      ),
      false,
    );
    assert.equal(
      selectorMatches({ matchExpressions: [{ key: 'b', operator: 'Exists' }] }, labels),
      true,
    );
  });
});

describe('bindingRules', () => {
  const port = service.spec?.ports?.[0] ?? { port: 0 };
  it('one rule per peer and port; no port means every port; a targetPort name resolves in ip mode', () => {
    const s = spec({
      networking: {
        ingress: [
          {
            from: [{ ipBlock: { cidr: '10.1.0.0/16' } }, { securityGroup: { groupID: 'sg-1' } }],
            ports: [{ port: 'http-pod' }],
          },
          { from: [{ ipBlock: { cidr: '10.2.0.0/16' } }], ports: [{ protocol: 'UDP' }] },
        ],
      },
    });
    const targets = [{ id: '10.0.0.1', port: 8080 }];
    assert.deepEqual(bindingRules(s, 'ip', port, targets), {
      ok: true,
      value: [
        { protocol: 'tcp', fromPort: 8080, toPort: 8080, cidr: '10.1.0.0/16' },
        { protocol: 'tcp', fromPort: 8080, toPort: 8080, sourceGroupId: 'sg-1' },
        { protocol: 'udp', fromPort: 0, toPort: 65535, cidr: '10.2.0.0/16' },
      ],
    });
    const bad = bindingRules(s, 'instance', port, targets);
    assert.ok(!bad.ok);
    assert.match(bad.error, /spec\.networking\.ingress\[0\]\.ports\[0\]\.port: "http-pod"/);
  });
});

describe('targetDiff', () => {
  const t = (id: string) => ({ id, port: 80 });
  it('a group of ours alone: every undesired target goes', () => {
    assert.deepEqual(targetDiff([t('a'), t('b')], [t('b'), t('x')]), {
      register: [t('a')],
      deregister: [t('x')],
    });
  });
  it('a shared group: only targets we registered ever go', () => {
    const owned = new Set(['c:80']);
    assert.deepEqual(targetDiff([t('a')], [t('c'), t('x')], owned), {
      register: [t('a')],
      deregister: [t('c')],
    });
  });
});

describe('bindingReadinessGates', () => {
  it('one gate per ip binding whose Service selects the pod, in the pod namespace', () => {
    const pod: V1Pod = { metadata: { name: 'p', namespace: 'ns', labels: { app: 'web', v: '1' } } };
    const bindings = [
      {
        metadata: { name: 'b1', namespace: 'ns' },
        spec: { targetGroupARN: 'a', serviceRef: { name: 'web', port: 80 } },
      },
      {
        metadata: { name: 'b0', namespace: 'ns' },
        spec: { targetGroupARN: 'a', targetType: 'ip', serviceRef: { name: 'web', port: 80 } },
      },
      {
        metadata: { name: 'inst', namespace: 'ns' },
        spec: {
          targetGroupARN: 'a',
          targetType: 'instance',
          serviceRef: { name: 'web', port: 80 },
        },
      },
      {
        metadata: { name: 'other', namespace: 'ns2' },
        spec: { targetGroupARN: 'a', serviceRef: { name: 'web', port: 80 } },
      },
      {
        metadata: { name: 'nosvc', namespace: 'ns' },
        spec: { targetGroupARN: 'a', serviceRef: { name: 'gone', port: 80 } },
      },
    ];
    const services = new Map([['ns/web', service]]);
    assert.deepEqual(bindingReadinessGates(pod, bindings, services), [
      'target-health.elbv2.k8s.aws/b0',
      'target-health.elbv2.k8s.aws/b1',
    ]);
    const other: V1Pod = { metadata: { namespace: 'ns', labels: { app: 'api' } } };
    assert.deepEqual(bindingReadinessGates(other, bindings, services), []);
  });
});
