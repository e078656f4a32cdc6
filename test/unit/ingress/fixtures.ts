/** Kubernetes objects for the tests, written as the YAML a user would apply. */
import type { V1Ingress, V1IngressClass } from '@kubernetes/client-node';
import { parse } from 'yaml';

export function ingressFrom(yaml: string): V1Ingress {
  const parsed: unknown = parse(yaml);
  return parsed as V1Ingress;
}

export function ingressClassFrom(yaml: string): V1IngressClass {
  const parsed: unknown = parse(yaml);
  return parsed as V1IngressClass;
}

/**
 * An Ingress with the given metadata fields; spec with one rule to service `web:80` at
 * `path` (default `/`), or only a default backend to it.
 */
export function ingress(options: {
  readonly name: string;
  readonly namespace?: string;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly className?: string;
  readonly finalizers?: readonly string[];
  readonly deleting?: boolean;
  readonly path?: string;
  readonly defaultBackendOnly?: boolean;
}): V1Ingress {
  const web = { service: { name: 'web', port: { number: 80 } } };
  const routing =
    options.defaultBackendOnly === true
      ? { defaultBackend: web }
      : {
          rules: [
            {
              http: {
                paths: [{ path: options.path ?? '/', pathType: 'Prefix', backend: web }],
              },
            },
          ],
        };
  const manifest: unknown = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: options.name,
      namespace: options.namespace ?? 'default',
      ...(options.annotations === undefined ? {} : { annotations: options.annotations }),
      ...(options.finalizers === undefined ? {} : { finalizers: options.finalizers }),
      ...(options.deleting === true ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}),
    },
    spec: {
      ...(options.className === undefined ? {} : { ingressClassName: options.className }),
      ...routing,
    },
  };
  return manifest as V1Ingress;
}

export function ingressClass(
  name: string,
  controller: string,
  options: { readonly isDefault?: boolean; readonly created?: string } = {},
): V1IngressClass {
  const manifest: unknown = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: {
      name,
      ...(options.isDefault === true
        ? { annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } }
        : {}),
      ...(options.created === undefined ? {} : { creationTimestamp: options.created }),
    },
    spec: { controller },
  };
  return manifest as V1IngressClass;
}

export function classMap(...classes: V1IngressClass[]): ReadonlyMap<string, V1IngressClass> {
  return new Map(classes.map((c) => [c.metadata?.name ?? '', c]));
}

export const config = { controllerName: 'albatross.dev/alb', ingressClass: 'alb' } as const;
