/**
 * The controller's side of "no input crashes": the objects the API server can hold have
 * the right types, but any optional field may be absent and a map or list may be empty
 * (a CRD keeps `annotations: {}`). Every field of a full object of each cached kind, one
 * at a time, is removed or emptied; stripping it for the cache and mapping it to work
 * keys must not throw.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  V1EndpointSlice,
  V1Ingress,
  V1IngressClass,
  V1Namespace,
  V1Node,
  V1Pod,
  V1Secret,
  V1Service,
} from '@kubernetes/client-node';
import {
  GroupKeyMapper,
  servicesReferencedBy,
  stripEndpointSlice,
  stripMetadata,
  stripNamespace,
  stripNode,
  stripPod,
  stripSecret,
  stripService,
} from '../../../pkg/k8s/index.ts';
import { defaultTranslateConfig } from '../../../pkg/translate/env.ts';

const meta = (name: string) => ({
  name,
  namespace: 'shop',
  uid: 'u-1',
  resourceVersion: '7',
  labels: { app: 'web', 'kubernetes.io/service-name': 'web' },
  annotations: {
    'kubectl.kubernetes.io/last-applied-configuration': '{}',
    'alb.ingress.kubernetes.io/group.name': 'edge',
    'kubernetes.io/ingress.class': 'alb',
  },
  finalizers: ['group.ingress.k8s.aws/edge', 'other.io/keep'],
  managedFields: [{ manager: 'kubectl', operation: 'Apply' }],
});

const ingressClass: V1IngressClass = {
  metadata: { name: 'alb', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
  spec: { controller: defaultTranslateConfig.controllerName },
};

const backend = { service: { name: 'web', port: { number: 80, name: 'http' } } };

const bases = {
  Ingress: {
    metadata: meta('web'),
    spec: {
      ingressClassName: 'alb',
      defaultBackend: backend,
      tls: [{ hosts: ['web.example.com'], secretName: 's' }],
      rules: [
        { host: 'web.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend }] } },
      ],
    },
    status: { loadBalancer: { ingress: [{ hostname: 'x.elb.amazonaws.com' }] } },
  } satisfies V1Ingress,
  Service: {
    metadata: meta('web'),
    spec: {
      type: 'NodePort',
      selector: { app: 'web' },
      ipFamilies: ['IPv4'],
      ports: [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30080, protocol: 'TCP' }],
    },
    status: { loadBalancer: {} },
  } satisfies V1Service,
  EndpointSlice: {
    metadata: meta('web-abc'),
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: true }, nodeName: 'n', zone: 'z' }],
  } satisfies V1EndpointSlice,
  Node: {
    metadata: meta('node-a'),
    spec: {
      providerID: 'aws:///eu-west-1a/i-0aaa',
      taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }],
      unschedulable: false,
    },
    status: {
      conditions: [{ type: 'Ready', status: 'True' }],
      addresses: [{ type: 'InternalIP', address: '10.0.0.9' }],
    },
  } satisfies V1Node,
  Namespace: { metadata: meta('shop') } satisfies V1Namespace,
  Secret: {
    metadata: meta('oidc'),
    data: { clientID: 'aWQ=', clientSecret: 'c2VjcmV0', other: 'eA==' },
    type: 'Opaque',
  } satisfies V1Secret,
  Pod: {
    metadata: meta('web-0'),
    spec: {
      containers: [{ name: 'app' }],
      readinessGates: [{ conditionType: 'target-health.elbv2.k8s.aws/x' }],
    },
    status: {
      podIP: '10.0.0.1',
      conditions: [{ type: 'ContainersReady', status: 'True' }],
    },
  } satisfies V1Pod,
};

/** Fields the API server always holds (required, or serialised even when empty). */
const REQUIRED = [/^metadata$/, /^metadata\.name$/, /conditions\.\d+(\.type|\.status)?$/];

type Path = readonly (string | number)[];

function pathsOf(value: unknown, at: Path = []): Path[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => {
    const here = [...at, Array.isArray(value) ? Number(key) : key];
    return [here, ...pathsOf(inner, here)];
  });
}

/** Every way the API server could hold this object with one field absent or emptied. */
function variants(base: object): { where: string; object: unknown }[] {
  const out: { where: string; object: unknown }[] = [];
  for (const path of pathsOf(base)) {
    if (REQUIRED.some((r) => r.test(path.join('.')))) continue;
    const target = path.slice(0, -1).reduce<unknown>((o, k) => (o as never)[k], base);
    const value = (target as Record<string | number, unknown>)[path.at(-1) ?? ''];
    const empties: unknown[] = [undefined];
    if (Array.isArray(value)) empties.push([]);
    else if (typeof value === 'object' && value !== null) empties.push({});
    for (const empty of empties) {
      const object = structuredClone(base) as Record<string, unknown>;
      const parent = path.slice(0, -1).reduce<unknown>((o, k) => (o as never)[k], object) as
        Record<string, unknown> | unknown[];
      const last = path.at(-1) ?? '';
      if (empty === undefined) {
        if (Array.isArray(parent)) parent.splice(Number(last), 1);
        else Reflect.deleteProperty(parent, last);
      } else {
        (parent as Record<string | number, unknown>)[last] = empty;
      }
      out.push({
        where: `${path.join('.')} ${empty === undefined ? 'absent' : JSON.stringify(empty)}`,
        object,
      });
    }
  }
  return out;
}

const handlers: Readonly<
  Record<keyof typeof bases, (object: never, mapper: GroupKeyMapper) => void>
> = {
  Ingress: (ingress: V1Ingress, mapper) => {
    stripMetadata(ingress);
    servicesReferencedBy(ingress);
    mapper.ingressChanged('added', ingress);
    mapper.ingressChanged('deleted', ingress);
  },
  Service: (service: V1Service, mapper) => {
    mapper.serviceChanged('updated', stripService(service));
  },
  EndpointSlice: (slice: V1EndpointSlice, mapper) => {
    mapper.endpointSliceChanged('updated', stripEndpointSlice(slice));
  },
  Node: (node: V1Node, mapper) => {
    stripNode(node);
    mapper.nodeChanged();
  },
  Namespace: (namespace: V1Namespace, mapper) => {
    mapper.namespaceChanged('updated', stripNamespace(namespace));
  },
  Secret: (secret: V1Secret, mapper) => {
    mapper.secretChanged('updated', stripSecret(secret));
  },
  Pod: (pod: V1Pod) => {
    stripPod(pod);
  },
};

describe('the controller caches on objects with absent or empty fields', () => {
  for (const kind of Object.keys(bases) as (keyof typeof bases)[]) {
    it(`GIVEN a ${kind} with any one field absent or empty THEN stripping and mapping it never throw`, () => {
      const crashes: string[] = [];
      const cases = variants(bases[kind]);
      for (const { where, object } of cases) {
        const ingresses: V1Ingress[] = [structuredClone(bases.Ingress)];
        const mapper = new GroupKeyMapper(
          {
            ingressList: () => ingresses,
            ingressClassMap: () => new Map([['alb', ingressClass]]),
          },
          defaultTranslateConfig,
        );
        try {
          handlers[kind](object as never, mapper);
        } catch (error) {
          crashes.push(`${where}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      assert.ok(cases.length > 5);
      assert.deepEqual(crashes, []);
    });
  }
});
