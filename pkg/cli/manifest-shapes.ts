/**
 * The fields `albatross plan` reads of each kind, with their types as the Kubernetes API
 * defines them (`networking.k8s.io/v1`, `v1`, `discovery.k8s.io/v1`). A field read by
 * translate, grouping or the mappers must be listed here, or a wrong type in a file could
 * reach them: the fuzz test in test/unit/cli/manifest-fuzz.test.ts finds the gaps.
 * The specs of IngressClassParams and TargetGroupBinding are only required to be maps:
 * their own parsers (pkg/ingress/class-params.ts, translate/target-group-binding.ts)
 * read them field by field and report problems.
 */
import type { Shape } from './narrow.ts';

const metadata: Shape = {
  fields: {
    name: 'string',
    namespace: 'string',
    uid: 'string',
    resourceVersion: 'string',
    generation: 'integer',
    labels: 'string-map',
    annotations: 'string-map',
    finalizers: { list: 'string' },
    deletionTimestamp: 'any',
  },
};

const backend: Shape = {
  fields: {
    service: {
      fields: { name: 'string', port: { fields: { name: 'string', number: 'integer' } } },
    },
    resource: { fields: { apiGroup: 'string', kind: 'string', name: 'string' } },
  },
};

const ingress: Shape = {
  fields: {
    metadata,
    spec: {
      fields: {
        ingressClassName: 'string',
        defaultBackend: backend,
        rules: {
          list: {
            fields: {
              host: 'string',
              http: {
                fields: {
                  paths: {
                    list: { fields: { path: 'string', pathType: 'string', backend } },
                  },
                },
              },
            },
          },
        },
        tls: { list: { fields: { hosts: { list: 'string' }, secretName: 'string' } } },
      },
    },
  },
};

const service: Shape = {
  fields: {
    metadata,
    spec: {
      fields: {
        type: 'string',
        clusterIP: 'string',
        externalName: 'string',
        selector: 'string-map',
        ipFamilies: { list: 'string' },
        ports: {
          list: {
            fields: {
              name: 'string',
              protocol: 'string',
              appProtocol: 'string',
              port: 'integer',
              targetPort: 'int-or-string',
              nodePort: 'integer',
            },
          },
        },
      },
    },
  },
};

const ingressClass: Shape = {
  fields: {
    metadata,
    spec: {
      fields: {
        controller: 'string',
        parameters: {
          fields: {
            apiGroup: 'string',
            kind: 'string',
            name: 'string',
            scope: 'string',
            namespace: 'string',
          },
        },
      },
    },
  },
};

const endpointSlice: Shape = {
  fields: {
    metadata,
    addressType: 'string',
    ports: {
      list: {
        fields: { name: 'string', protocol: 'string', appProtocol: 'string', port: 'integer' },
      },
    },
    endpoints: {
      list: {
        fields: {
          addresses: { list: 'string' },
          conditions: { fields: { ready: 'boolean', serving: 'boolean', terminating: 'boolean' } },
          nodeName: 'string',
          zone: 'string',
          hostname: 'string',
        },
      },
    },
  },
};

const node: Shape = {
  fields: {
    metadata,
    spec: {
      fields: {
        providerID: 'string',
        unschedulable: 'boolean',
        taints: { list: { fields: { key: 'string', value: 'string', effect: 'string' } } },
      },
    },
    status: {
      fields: {
        conditions: { list: { fields: { type: 'string', status: 'string' } } },
        addresses: { list: { fields: { type: 'string', address: 'string' } } },
      },
    },
  },
};

/** A spec read by its own parser: it must be a map, the rest is that parser's to check. */
const parsedSpec: Shape = { fields: { metadata, spec: { fields: {} } } };

/** By `kind`; a kind absent here is not read by the planner. */
export const MANIFEST_SHAPES: Readonly<Record<string, Shape>> = {
  Ingress: ingress,
  IngressClass: ingressClass,
  IngressClassParams: parsedSpec,
  Namespace: { fields: { metadata } },
  Service: service,
  EndpointSlice: endpointSlice,
  Node: node,
  TargetGroupBinding: parsedSpec,
};
