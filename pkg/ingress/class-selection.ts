/**
 * Which Ingresses are ours. The order of the checks is the reference controller's, so a
 * manifest written for it lands on the same controller here:
 * 1. the legacy `kubernetes.io/ingress.class` annotation, when present, decides alone;
 * 2. else `spec.ingressClassName` names an IngressClass;
 * 3. else the cluster's default IngressClass (`ingressclass.kubernetes.io/is-default-class`).
 * An IngressClass is ours when its `spec.controller` is our controller name.
 *
 * The answer has three outcomes, not two: ours, another controller's, or unknown (the class
 * named does not exist, or none is named and no class is the default). Unknown is not "not
 * ours": a class is deleted by `kubectl delete ingressclass`, by an uninstall that removes
 * it before the controller, by a rename or a GitOps prune, and treating its Ingresses as
 * someone else's would delete their load balancers. An Ingress of an unknown class that
 * still holds our finalizer is held where it stands (see grouping.ts); only an Ingress
 * whose class exists and names another controller, or that is deleted, is let go. The
 * reference controller refuses the same case (aws-load-balancer-controller#2731).
 */
import type { V1Ingress, V1IngressClass } from '@kubernetes/client-node';

export const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
export const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';

/** The part of the controller's settings that class selection reads. */
export interface ClassConfig {
  /** `spec.controller` of our IngressClasses. @default 'albatross.dev/alb' */
  readonly controllerName: string;
  /** Value of the legacy annotation that selects us. @default 'alb' */
  readonly ingressClass: string;
}

/**
 * The IngressClass an Ingress without `spec.ingressClassName` falls under, as the API
 * server's admission would pick it: among classes marked default, the newest (Kubernetes
 * ≥ 1.30 tolerates several), ties broken by name so the answer never depends on input order.
 */
export function defaultIngressClass(
  ingressClasses: ReadonlyMap<string, V1IngressClass>,
): V1IngressClass | undefined {
  let best: V1IngressClass | undefined;
  for (const candidate of ingressClasses.values()) {
    if (candidate.metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION] !== 'true') continue;
    if (best === undefined || isNewer(candidate, best)) best = candidate;
  }
  return best;
}

function isNewer(a: V1IngressClass, b: V1IngressClass): boolean {
  const ta = timestampOf(a);
  const tb = timestampOf(b);
  if (ta !== tb) return ta > tb;
  return (a.metadata?.name ?? '') < (b.metadata?.name ?? '');
}

/** Milliseconds since the epoch; objects read from files carry the timestamp as a string. */
function timestampOf(ingressClass: V1IngressClass): number {
  const raw: unknown = ingressClass.metadata?.creationTimestamp;
  if (raw instanceof Date) return Number.isFinite(raw.getTime()) ? raw.getTime() : 0;
  if (typeof raw === 'string') {
    const ms = Date.parse(raw);
    return Number.isFinite(ms) ? ms : 0;
  }
  return 0;
}

/** The IngressClass that governs an Ingress (none when the legacy annotation decides). */
export function ingressClassOf(
  ingress: V1Ingress,
  ingressClasses: ReadonlyMap<string, V1IngressClass>,
): V1IngressClass | undefined {
  if (ingress.metadata?.annotations?.[LEGACY_CLASS_ANNOTATION] !== undefined) return undefined;
  const name = ingress.spec?.ingressClassName;
  if (name !== undefined && name !== '') return ingressClasses.get(name);
  return defaultIngressClass(ingressClasses);
}

/** Whose an Ingress is, by its class. */
export type ClassVerdict =
  | { readonly kind: 'ours' }
  | { readonly kind: 'theirs' }
  | {
      readonly kind: 'unknown';
      /** The class the Ingress names; `''` when it names none and no default exists. */
      readonly className: string;
    };

/**
 * Ours, another controller's, or unknown (see the top of this file). The legacy annotation
 * names a class by value, without an IngressClass object, so it is never unknown.
 */
export function classVerdictOf(
  ingress: V1Ingress,
  ingressClasses: ReadonlyMap<string, V1IngressClass>,
  config: ClassConfig,
): ClassVerdict {
  const legacy = ingress.metadata?.annotations?.[LEGACY_CLASS_ANNOTATION];
  if (legacy !== undefined) return { kind: legacy === config.ingressClass ? 'ours' : 'theirs' };
  const name = ingress.spec?.ingressClassName ?? '';
  const ingressClass = ingressClassOf(ingress, ingressClasses);
  if (ingressClass === undefined) return { kind: 'unknown', className: name };
  return { kind: ingressClass.spec?.controller === config.controllerName ? 'ours' : 'theirs' };
}

/** Whether this controller manages the Ingress (regardless of deletion). */
export function isOurIngress(
  ingress: V1Ingress,
  ingressClasses: ReadonlyMap<string, V1IngressClass>,
  config: ClassConfig,
): boolean {
  return classVerdictOf(ingress, ingressClasses, config).kind === 'ours';
}
