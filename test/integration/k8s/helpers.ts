/** Small helpers shared by the k8s integration tests. */
import { setTimeout as delay } from 'node:timers/promises';
import type {
  CustomObjectsApi,
  V1EndpointSlice,
  V1Ingress,
  V1Service,
} from '@kubernetes/client-node';

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await delay(50);
  }
}

export function ingress(
  namespace: string,
  name: string,
  options: {
    readonly services: readonly string[];
    readonly annotations?: Record<string, string>;
    readonly path?: string;
  },
): V1Ingress {
  return {
    metadata: { name, namespace, annotations: options.annotations ?? {} },
    spec: {
      ingressClassName: 'alb',
      rules: [
        {
          http: {
            paths: options.services.map((service, i) => ({
              path: i === 0 ? (options.path ?? '/') : `${options.path ?? ''}/${service}`,
              pathType: 'Prefix',
              backend: { service: { name: service, port: { number: 80 } } },
            })),
          },
        },
      ],
    },
  };
}

export function nodePortService(namespace: string, name: string): V1Service {
  return {
    metadata: { name, namespace },
    spec: {
      type: 'NodePort',
      selector: { app: name },
      ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
    },
  };
}

export function endpointSlice(
  namespace: string,
  service: string,
  addresses: readonly string[],
): V1EndpointSlice {
  return {
    metadata: {
      name: `${service}-slice`,
      namespace,
      labels: { 'kubernetes.io/service-name': service },
    },
    addressType: 'IPv4',
    endpoints: addresses.map((a) => ({ addresses: [a], conditions: { ready: true } })),
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  };
}

/** The IngressClassParams resource, as CustomObjectsApi names it. */
export const PARAMS_RESOURCE = {
  group: 'elbv2.k8s.aws',
  version: 'v1beta1',
  plural: 'ingressclassparams',
} as const;

/** A CRD just established may answer 429 for a moment while its storage starts. */
export async function paramsCrdServing(custom: CustomObjectsApi): Promise<void> {
  await eventually(
    'the CRD serving',
    () =>
      custom.listClusterCustomObject(PARAMS_RESOURCE).then(
        () => true,
        () => undefined,
      ),
    30_000,
  );
}
