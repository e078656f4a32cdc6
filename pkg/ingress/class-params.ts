/**
 * Which IngressClassParams govern an Ingress, and whether its namespace may use them.
 *
 * An Ingress whose class names params (`spec.parameters`, apiGroup elbv2.k8s.aws, kind
 * IngressClassParams) gets them; other kinds of parameters are not ours to read.
 *
 * Rejection by `namespaceSelector` is an error problem on the Ingress, and the member is
 * marked `rejected`: translate freezes it (its rules and target groups already in AWS
 * stay as they are, nothing new of it is created) and, unlike other frozen members, none
 * of its annotations count for the group's shared settings, so an Ingress from a
 * namespace the class does not admit cannot add a listener, a tag or a CIDR to an ALB it
 * shares. Deleting instead would turn a namespace relabelling into an outage; the safe
 * choice is to keep what exists and say why nothing changes.
 *
 * Params that are missing (deleted, or their CRD not installed) or invalid are an error
 * problem too: the member is frozen, never applied without the restrictions its class
 * was meant to impose.
 */
import type { V1Ingress, V1IngressClass } from '@kubernetes/client-node';
import type { ClassParams, ClassParamsError } from '../annotations/index.ts';
import { parseClassParams, selectorMatches, showSelector } from '../annotations/index.ts';
import type { Problem } from '../model/index.ts';
import { ingressClassOf } from './class-selection.ts';
import { ingressKeyOf, namespaceOf } from './finalizers.ts';

export const PARAMS_API_GROUP = 'elbv2.k8s.aws';
export const PARAMS_KIND = 'IngressClassParams';
/** The label the API server puts on every Namespace. */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** What the cluster (or the manifests) say about params and namespaces. */
export interface ClassParamsInput {
  /** IngressClassParams `spec` by object name; `undefined` = none can exist (no CRD). */
  readonly params: Lookup<unknown> | undefined;
  /**
   * Namespace labels by name; a namespace not listed has only the label the API server
   * gives every namespace (`kubernetes.io/metadata.name`).
   */
  readonly namespaceLabels: Lookup<Readonly<Record<string, string>>>;
}

/** The one thing read of a map, so a cache can answer without copying itself. */
export interface Lookup<T> {
  get(name: string): T | undefined;
}

/** The params that govern one member. */
export interface MemberParams {
  readonly params: ClassParams;
  /** The namespace is not selected: frozen, and its annotations do not count. */
  readonly rejected: boolean;
}

export interface ParamsResolution {
  readonly member: MemberParams | undefined;
  readonly problems: readonly Problem[];
  /** The params could not be read: the member stays where its finalizer holds it. */
  readonly unreadable: boolean;
}

const NONE: ParamsResolution = { member: undefined, problems: [], unreadable: false };

/** The name of the params an IngressClass points at, if it points at ours. */
export function paramsNameOf(ingressClass: V1IngressClass | undefined): string | undefined {
  const p = ingressClass?.spec?.parameters;
  if (p?.kind !== PARAMS_KIND || p.apiGroup !== PARAMS_API_GROUP) return undefined;
  return p.name;
}

function errorProblem(ingress: string, e: ClassParamsError): Problem {
  return { ingress, field: e.field, value: e.value, message: e.message, severity: 'error' };
}

export function resolveClassParams(
  ingress: V1Ingress,
  ingressClasses: ReadonlyMap<string, V1IngressClass>,
  input: ClassParamsInput | undefined,
): ParamsResolution {
  const ingressClass = ingressClassOf(ingress, ingressClasses);
  const name = paramsNameOf(ingressClass);
  if (name === undefined) return NONE;
  const key = ingressKeyOf(ingress);
  const className = ingressClass?.metadata?.name ?? '';
  const spec = input?.params?.get(name);
  if (spec === undefined) {
    const why =
      input?.params === undefined
        ? 'the IngressClassParams CRD (ingressclassparams.elbv2.k8s.aws) is not installed'
        : 'no such IngressClassParams exists';
    return {
      member: undefined,
      unreadable: true,
      problems: [
        {
          ingress: key,
          field: `IngressClass ${className}: spec.parameters`,
          value: name,
          message: `${why}; the Ingresses of the class are not applied until it exists (or spec.parameters is removed)`,
          severity: 'error',
        },
      ],
    };
  }
  const parsed = parseClassParams(name, spec);
  const problems = parsed.errors.map((e) => errorProblem(key, e));
  const selector = parsed.value.namespaceSelector;
  let rejected = false;
  if (selector !== undefined) {
    const namespace = namespaceOf(ingress);
    const labels = input?.namespaceLabels.get(namespace) ?? { [NAMESPACE_NAME_LABEL]: namespace };
    if (!selectorMatches(selector, labels)) {
      rejected = true;
      problems.push({
        ingress: key,
        field: `IngressClassParams ${name}: spec.namespaceSelector`,
        value: namespace,
        message:
          `namespace ${namespace} is not selected by the namespaceSelector (${showSelector(selector)}) ` +
          `of IngressClassParams ${name}, which IngressClass ${className} uses: an Ingress in this ` +
          `namespace may not use the class; nothing of it is applied (and nothing already applied is removed)`,
        severity: 'error',
      });
    }
  }
  const groupUnreadable = parsed.errors.some(
    (e) => e.field.endsWith('spec.group') || e.field.endsWith('spec.group.name'),
  );
  return { member: { params: parsed.value, rejected }, problems, unreadable: groupUnreadable };
}
