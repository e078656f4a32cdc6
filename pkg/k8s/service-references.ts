/**
 * The Services an Ingress sends traffic to: path backends, the default backend, and
 * forwards in `alb.ingress.kubernetes.io/actions.*` annotations that name a Service
 * (`serviceName`). A Service change must reach every group that routes to it.
 */
import type { V1Ingress, V1IngressBackend } from '@kubernetes/client-node';
import { namespaceOf } from '../ingress/index.ts';

const ACTIONS_PREFIX = 'alb.ingress.kubernetes.io/actions.';

function collectServiceNames(value: unknown, out: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) collectServiceNames(item, out);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  for (const [key, field] of Object.entries(value)) {
    if ((key === 'serviceName' || key === 'ServiceName') && typeof field === 'string') {
      out.add(field);
    } else {
      collectServiceNames(field, out);
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // A malformed action is translate's problem to report; it references nothing.
    return undefined;
  }
}

/** `namespace/name` of every Service the Ingress references, sorted. */
export function servicesReferencedBy(ingress: V1Ingress): string[] {
  const names = new Set<string>();
  const add = (backend: V1IngressBackend | undefined): void => {
    const name = backend?.service?.name;
    if (name !== undefined && name !== '') names.add(name);
  };
  add(ingress.spec?.defaultBackend);
  for (const rule of ingress.spec?.rules ?? []) {
    for (const path of rule.http?.paths ?? []) add(path.backend);
  }
  for (const [key, value] of Object.entries(ingress.metadata?.annotations ?? {})) {
    if (key.startsWith(ACTIONS_PREFIX)) collectServiceNames(parseJson(value), names);
  }
  const namespace = namespaceOf(ingress);
  return [...names].map((name) => `${namespace}/${name}`).sort();
}
