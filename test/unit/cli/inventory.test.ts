import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ManifestDocument } from '../../../pkg/cli/index.ts';
import { buildInventory } from '../../../pkg/cli/index.ts';

const doc = (object: Readonly<Record<string, unknown>>): ManifestDocument => ({
  source: 'test.yaml',
  object,
});

describe('inventory', () => {
  it('puts Ingresses and Services without a namespace in default', () => {
    const got = buildInventory([
      doc({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web' } }),
      doc({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' } }),
    ]);
    assert.equal(got.ingresses[0]?.metadata?.namespace, 'default');
    assert.deepEqual([...got.services.keys()], ['default/svc']);
  });

  it('says targets are unknown (undefined) when no Node or EndpointSlice is given', () => {
    const got = buildInventory([doc({ kind: 'Service', metadata: { name: 'svc' } })]);
    assert.equal(got.nodes, undefined);
    assert.equal(got.endpointSlices, undefined);
  });

  it('files EndpointSlices under their Service and keeps Nodes', () => {
    const got = buildInventory([
      doc({
        kind: 'EndpointSlice',
        metadata: {
          name: 'svc-abc',
          namespace: 'shop',
          labels: { 'kubernetes.io/service-name': 'svc' },
        },
      }),
      doc({ kind: 'Node', metadata: { name: 'node-1' } }),
    ]);
    assert.deepEqual([...(got.endpointSlices?.keys() ?? [])], ['shop/svc']);
    assert.equal(got.nodes?.length, 1);
  });

  it('converts a beta Ingress with a warning on it', () => {
    const got = buildInventory([
      doc({
        apiVersion: 'networking.k8s.io/v1beta1',
        kind: 'Ingress',
        metadata: { name: 'old' },
        spec: { backend: { serviceName: 's', servicePort: 80 } },
      }),
    ]);
    assert.deepEqual(got.ingresses[0]?.spec?.defaultBackend, {
      service: { name: 's', port: { number: 80 } },
    });
    assert.equal(got.problems[0]?.ingress, 'default/old');
    assert.equal(got.problems[0].severity, 'warning');
  });

  it('ignores other kinds with one note that counts them', () => {
    const got = buildInventory([
      doc({ kind: 'Deployment', metadata: { name: 'a' } }),
      doc({ kind: 'Deployment', metadata: { name: 'b' } }),
      doc({ kind: 'ConfigMap', metadata: { name: 'c' } }),
    ]);
    assert.deepEqual(got.notes, [
      'ignored ConfigMap, Deployment ×2: plan reads Ingress, IngressClass, IngressClassParams, Namespace, Service, EndpointSlice, Node and TargetGroupBinding',
    ]);
  });

  it('keeps the later of two objects with the same name, and says so', () => {
    const got = buildInventory([
      doc({ kind: 'Service', metadata: { name: 'svc' }, spec: { type: 'ClusterIP' } }),
      doc({ kind: 'Service', metadata: { name: 'svc' }, spec: { type: 'NodePort' } }),
    ]);
    assert.equal(got.services.get('default/svc')?.spec?.type, 'NodePort');
    assert.match(got.notes[0] ?? '', /Service default\/svc given twice/);
  });
});
