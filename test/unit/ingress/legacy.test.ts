import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { convertLegacyIngress, isLegacyIngress } from '../../../pkg/ingress/index.ts';

const legacy = `
apiVersion: extensions/v1beta1
kind: Ingress
metadata:
  name: test-ingress
  annotations:
    ingress.kubernetes.io/rewrite-target: /
spec:
  backend:
    serviceName: default-http
    servicePort: 80
  rules:
  - host: myservice.example.com
    http:
      paths:
      - path: /somepath
        backend:
          serviceName: service1
          servicePort: 9876
      - path: /named
        pathType: Prefix
        backend:
          serviceName: service2
          servicePort: http
`;

describe('beta Ingress conversion', () => {
  it('recognises both beta APIs and not v1', () => {
    assert.equal(isLegacyIngress({ apiVersion: 'extensions/v1beta1', kind: 'Ingress' }), true);
    assert.equal(
      isLegacyIngress({ apiVersion: 'networking.k8s.io/v1beta1', kind: 'Ingress' }),
      true,
    );
    assert.equal(isLegacyIngress({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' }), false);
    assert.equal(isLegacyIngress({ apiVersion: 'extensions/v1beta1', kind: 'Deployment' }), false);
  });

  it('converts backends, the default backend and missing pathType as the API server did', () => {
    // GIVEN an extensions/v1beta1 Ingress
    const document: unknown = parse(legacy);
    assert.ok(isLegacyIngress(document));
    // WHEN converted
    const { ingress, note } = convertLegacyIngress(document);
    // THEN it is the networking.k8s.io/v1 form
    assert.deepEqual(JSON.parse(JSON.stringify(ingress)), {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: {
        name: 'test-ingress',
        annotations: { 'ingress.kubernetes.io/rewrite-target': '/' },
      },
      spec: {
        defaultBackend: { service: { name: 'default-http', port: { number: 80 } } },
        rules: [
          {
            host: 'myservice.example.com',
            http: {
              paths: [
                {
                  path: '/somepath',
                  pathType: 'ImplementationSpecific',
                  backend: { service: { name: 'service1', port: { number: 9876 } } },
                },
                {
                  path: '/named',
                  pathType: 'Prefix',
                  backend: { service: { name: 'service2', port: { name: 'http' } } },
                },
              ],
            },
          },
        ],
      },
    });
    // AND a warning says so, on the Ingress, in the default namespace
    assert.equal(note.severity, 'warning');
    assert.equal(note.ingress, 'default/test-ingress');
    assert.equal(note.field, 'apiVersion');
    assert.equal(note.value, 'extensions/v1beta1');
    assert.match(note.message, /albatross convert/);
  });
});
