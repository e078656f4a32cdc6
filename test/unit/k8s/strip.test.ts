/**
 * What the caches keep: everything translate reads of a Node, a Service and an
 * EndpointSlice survives stripping, and nothing else the controller holds for hours.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1EndpointSlice, V1Node, V1Service } from '@kubernetes/client-node';
import { stripEndpointSlice, stripNode, stripService } from '../../../pkg/k8s/index.ts';
import { eligibleInstances, ipTargets } from '../../../pkg/translate/targets.ts';

const managedFields = [{ manager: 'kubelet', operation: 'Update', fieldsType: 'FieldsV1' }];
const heartbeat = new Date('2025-01-01T00:00:00Z');

function node(ready: string): V1Node {
  return {
    metadata: {
      name: 'node-1',
      uid: 'u-1',
      resourceVersion: '42',
      labels: { 'topology.kubernetes.io/zone': 'us-east-1a', pool: 'web' },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0' },
      managedFields,
      creationTimestamp: heartbeat,
    },
    spec: {
      providerID: 'aws:///us-east-1a/i-0abc',
      taints: [{ key: 'dedicated', value: 'web', effect: 'NoSchedule' }],
      podCIDR: '10.244.0.0/24',
    },
    status: {
      conditions: [
        { type: 'MemoryPressure', status: 'False', lastHeartbeatTime: heartbeat },
        { type: 'Ready', status: ready, lastHeartbeatTime: heartbeat, reason: 'KubeletReady' },
      ],
      addresses: [{ type: 'InternalIP', address: '10.0.0.1' }],
      images: [{ names: ['registry/image:v1'], sizeBytes: 1 }],
    },
  };
}

function slice(): V1EndpointSlice {
  const endpoint = (address: string, ready: boolean | undefined) => ({
    addresses: [address],
    conditions: { ...(ready !== undefined ? { ready } : {}), serving: true, terminating: false },
    nodeName: 'node-1',
    zone: 'us-east-1a',
    hints: { forZones: [{ name: 'us-east-1a' }] },
    targetRef: { kind: 'Pod', name: `pod-${address}`, namespace: 'shop', uid: 'p' },
  });
  return {
    addressType: 'IPv4',
    metadata: {
      name: 'web-abcde',
      namespace: 'shop',
      resourceVersion: '7',
      labels: { 'kubernetes.io/service-name': 'web' },
      annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': 'now' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 's' }],
      managedFields,
    },
    endpoints: [
      endpoint('10.1.0.1', true),
      endpoint('10.1.0.2', false),
      endpoint('10.1.0.3', undefined),
    ],
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  };
}

describe('stripping what the caches hold', () => {
  it('keeps of a Node what decides whether it takes instance traffic', () => {
    // GIVEN a Node as the API server sends it, once Ready and once not
    // WHEN it is stripped
    const ready = stripNode(node('True'));
    const notReady = stripNode(node('False'));
    // THEN eligibility reads the same, and annotations, images and heartbeats are gone
    assert.deepEqual(eligibleInstances([ready], { pool: 'web' }), ['i-0abc']);
    assert.deepEqual(eligibleInstances([notReady], undefined), []);
    assert.deepEqual(ready.metadata, {
      name: 'node-1',
      uid: 'u-1',
      resourceVersion: '42',
      labels: { 'topology.kubernetes.io/zone': 'us-east-1a', pool: 'web' },
    });
    assert.deepEqual(ready.status?.conditions, [{ type: 'Ready', status: 'True' }]);
    assert.equal(ready.status.images, undefined);
    assert.deepEqual(ready.spec?.taints, [
      { key: 'dedicated', value: 'web', effect: 'NoSchedule' },
    ]);
  });

  it('keeps of an EndpointSlice the ready addresses, ports and its Service', () => {
    // GIVEN a slice with a ready, a not-ready and an unknown-readiness endpoint
    const original = slice();
    const before = ipTargets([slice()], { name: 'http', port: 80 });
    // WHEN it is stripped
    const kept = stripEndpointSlice(original);
    // THEN the ip targets are the same, and each endpoint is its addresses and readiness
    assert.deepEqual(ipTargets([kept], { name: 'http', port: 80 }), before);
    assert.deepEqual(JSON.parse(JSON.stringify(kept.endpoints)) as unknown, [
      { addresses: ['10.1.0.1'], conditions: { ready: true } },
      { addresses: ['10.1.0.2'], conditions: { ready: false } },
      { addresses: ['10.1.0.3'], conditions: {} },
    ]);
    assert.equal(kept.metadata?.labels?.['kubernetes.io/service-name'], 'web');
    assert.equal(kept.metadata.annotations, undefined);
    assert.equal(kept.metadata.ownerReferences, undefined);
  });

  it('keeps of a Service its type, ports, selector and annotations, not its status', () => {
    // GIVEN a NodePort Service with a health-check annotation and a load balancer status
    const service: V1Service = {
      metadata: {
        name: 'web',
        namespace: 'shop',
        annotations: { 'alb.ingress.kubernetes.io/healthcheck-path': '/healthz' },
        managedFields,
      },
      spec: {
        type: 'NodePort',
        ports: [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30080 }],
        selector: { app: 'web' },
        clusterIP: '10.96.0.10',
      },
      status: { loadBalancer: {} },
    };
    // WHEN it is stripped
    const kept = stripService(service);
    // THEN what translate reads is there
    assert.deepEqual(kept.spec, {
      type: 'NodePort',
      ports: [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30080 }],
      // The readiness-gate webhook matches pods against it.
      selector: { app: 'web' },
    });
    assert.deepEqual(kept.metadata?.annotations, {
      'alb.ingress.kubernetes.io/healthcheck-path': '/healthz',
    });
    assert.equal(kept.metadata.managedFields, undefined);
    assert.equal(kept.status, undefined);
  });
});
