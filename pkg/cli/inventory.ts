/**
 * Documents → what the planner reads: Ingresses (beta ones converted), IngressClasses,
 * IngressClassParams, Namespaces (their labels), Services, EndpointSlices, Nodes and
 * TargetGroupBindings. Anything else is counted and
 * ignored with a note. Namespaced objects without a namespace land in `default`, as
 * `kubectl apply` would put them. An object of those kinds without `metadata.name` is an
 * error naming its document (the API server would refuse it; kept, an Ingress would plan
 * as the member `default/`), and the rest is planned without it.
 */
import type {
  V1EndpointSlice,
  V1Ingress,
  V1IngressClass,
  V1Node,
  V1Service,
} from '@kubernetes/client-node';
import { convertLegacyIngress, isLegacyIngress } from '../ingress/index.ts';
import type { Problem } from '../model/index.ts';
import type { TargetGroupBindingObject } from '../translate/target-group-binding.ts';
import type { ManifestDocument } from './manifests.ts';
import { MANIFEST_SHAPES } from './manifest-shapes.ts';
import type { ShapeProblem } from './narrow.ts';
import { narrow, withoutNulls } from './narrow.ts';

export interface Inventory {
  readonly ingresses: readonly V1Ingress[];
  readonly ingressClasses: ReadonlyMap<string, V1IngressClass>;
  /** IngressClassParams objects by name. */
  readonly ingressClassParams: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  /**
   * Labels of the Namespaces in the input, with the `kubernetes.io/metadata.name` label
   * the API server adds to every namespace.
   */
  readonly namespaceLabels: ReadonlyMap<string, Readonly<Record<string, string>>>;
  readonly services: ReadonlyMap<string, V1Service>;
  /** By the `namespace/name` of their Service; `undefined` when the input held none. */
  readonly endpointSlices: ReadonlyMap<string, readonly V1EndpointSlice[]> | undefined;
  /** `undefined` when the input held none. */
  readonly nodes: readonly V1Node[] | undefined;
  /** TargetGroupBindings (elbv2.k8s.aws), their namespace filled in. */
  readonly targetGroupBindings: readonly TargetGroupBindingObject[];
  /** Warnings about Ingresses (e.g. a beta API converted). */
  readonly problems: readonly Problem[];
  /** Remarks about the input that concern no Ingress. */
  readonly notes: readonly string[];
}

type Json = Readonly<Record<string, unknown>>;

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The client's model classes are plain data on the wire; files hold the same shapes. */
function plain(object: Json): unknown {
  return object;
}

function metadataOf(object: Json): Json {
  return isRecord(object.metadata) ? object.metadata : {};
}

function nameOf(object: Json): string {
  const name = metadataOf(object).name;
  return typeof name === 'string' ? name : '';
}

function unnamed(source: string, kind: string, given: unknown): Problem {
  return {
    ingress: source,
    field: 'metadata.name',
    value: typeof given === 'string' ? given : given === undefined ? '' : JSON.stringify(given),
    message: `this ${kind} has no metadata.name; every object needs a non-empty name string, so this document is left out of the plan and the rest is planned`,
    severity: 'error',
  };
}

function withNamespace(object: Json): Json {
  const metadata = metadataOf(object);
  const namespace = metadata.namespace;
  if (typeof namespace === 'string' && namespace !== '') return object;
  return { ...object, metadata: { ...metadata, namespace: 'default' } };
}

function namespacedKey(object: Json): string {
  return `${String(metadataOf(object).namespace)}/${nameOf(object)}`;
}

export function buildInventory(documents: readonly ManifestDocument[]): Inventory {
  const ingresses = new Map<string, V1Ingress>();
  const ingressClasses = new Map<string, V1IngressClass>();
  const ingressClassParams = new Map<string, Json>();
  const services = new Map<string, V1Service>();
  const slices = new Map<string, V1EndpointSlice[]>();
  let sliceCount = 0;
  const nodes = new Map<string, V1Node>();
  const bindings = new Map<string, TargetGroupBindingObject>();
  const namespaceLabels = new Map<string, Readonly<Record<string, string>>>();
  const problems: Problem[] = [];
  const notes: string[] = [];
  const ignored = new Map<string, number>();

  const keep = <T>(map: Map<string, T>, kind: string, key: string, value: T, source: string) => {
    if (map.has(key)) notes.push(`${source}: ${kind} ${key} given twice; the later one is used`);
    map.set(key, value);
  };

  for (const { source, object: read } of documents) {
    const kind = typeof read.kind === 'string' ? read.kind : '';
    const checked = checkedManifest(kind, read, source);
    if (checked === undefined) {
      const label = kind === '' ? '(no kind)' : kind;
      ignored.set(label, (ignored.get(label) ?? 0) + 1);
      continue;
    }
    problems.push(...checked.problems);
    if (checked.note !== undefined) problems.push(checked.note);
    const object = checked.object;
    if (object === undefined) continue;
    switch (kind) {
      case 'Ingress': {
        const namespaced = withNamespace(object);
        keep(ingresses, kind, namespacedKey(namespaced), plain(namespaced) as V1Ingress, source);
        break;
      }
      case 'IngressClass':
        keep(ingressClasses, kind, nameOf(object), plain(object) as V1IngressClass, source);
        break;
      case 'IngressClassParams':
        keep(ingressClassParams, kind, nameOf(object), object, source);
        break;
      case 'Service': {
        const namespaced = withNamespace(object);
        keep(services, kind, namespacedKey(namespaced), plain(namespaced) as V1Service, source);
        break;
      }
      case 'EndpointSlice': {
        const namespaced = withNamespace(object);
        const labels = metadataOf(namespaced).labels;
        const service = isRecord(labels) ? labels[SERVICE_NAME_LABEL] : undefined;
        if (typeof service !== 'string') {
          notes.push(
            `${source}: EndpointSlice ${namespacedKey(namespaced)} has no ${SERVICE_NAME_LABEL} label; ignored`,
          );
          break;
        }
        const key = `${String(metadataOf(namespaced).namespace)}/${service}`;
        slices.set(key, [...(slices.get(key) ?? []), plain(namespaced) as V1EndpointSlice]);
        sliceCount += 1;
        break;
      }
      case 'Namespace': {
        const labels = metadataOf(object).labels;
        const strings = Object.entries(isRecord(labels) ? labels : {}).filter(
          (entry): entry is [string, string] => typeof entry[1] === 'string',
        );
        const name = nameOf(object);
        keep(
          namespaceLabels,
          kind,
          name,
          { ...Object.fromEntries(strings), 'kubernetes.io/metadata.name': name },
          source,
        );
        break;
      }
      case 'TargetGroupBinding': {
        const namespaced = withNamespace(object);
        keep(bindings, kind, namespacedKey(namespaced), namespaced, source);
        break;
      }
      case 'Node':
        keep(nodes, kind, nameOf(object), plain(object) as V1Node, source);
        break;
    }
  }

  if (ignored.size > 0) {
    const kinds = [...ignored.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([kind, count]) => (count > 1 ? `${kind} ×${count}` : kind))
      .join(', ');
    notes.push(
      `ignored ${kinds}: plan reads Ingress, IngressClass, IngressClassParams, Namespace, Service, EndpointSlice, Node and TargetGroupBinding`,
    );
  }

  return {
    ingresses: [...ingresses.values()],
    ingressClasses,
    ingressClassParams,
    namespaceLabels,
    services,
    endpointSlices: sliceCount === 0 ? undefined : slices,
    nodes: nodes.size === 0 ? undefined : [...nodes.values()],
    targetGroupBindings: [...bindings.values()],
    problems,
    notes,
  };
}

interface CheckedManifest {
  /** `undefined`: refused, as the API server would refuse it (see `problems`). */
  readonly object: Json | undefined;
  readonly problems: readonly Problem[];
  /** A beta Ingress converted to v1. */
  readonly note?: Problem;
}

/**
 * The one place a document read from a file becomes an object of its kind: nulls are
 * absent, a beta Ingress is converted, and a field of the wrong type (or no name) refuses
 * the object with a problem per field. `undefined`: a kind the planner does not read.
 */
function checkedManifest(kind: string, read: Json, source: string): CheckedManifest | undefined {
  const shape = Object.hasOwn(MANIFEST_SHAPES, kind) ? MANIFEST_SHAPES[kind] : undefined;
  if (shape === undefined) return undefined;
  let object = withoutNulls(read) as Json;
  let note: Problem | undefined;
  if (kind === 'Ingress' && isLegacyIngress(object)) {
    const converted = convertLegacyIngress(object);
    note = converted.note;
    object = plain(converted.ingress as Json) as Json;
  }
  const found: ShapeProblem[] = [];
  const narrowed = narrow(object, shape, '', found) as Json;
  const name = metadataOf(narrowed).name;
  // Without a name the object has no key to be named by: its document is.
  const nameless = typeof name !== 'string' || name === '';
  const refused: Problem[] = found.map((p) => ({
    ingress: nameless ? source : subjectOf(kind, metadataOf(narrowed)),
    field: p.field,
    value: p.value,
    message: `${p.message} (the API server would refuse this ${kind}: it is left out of the plan)`,
    severity: 'error',
  }));
  if (nameless && !found.some((p) => p.field === 'metadata.name')) {
    refused.push(unnamed(source, kind, name));
  }
  if (refused.length === 0) return { object: narrowed, problems: [], ...(note ? { note } : {}) };
  return { object: undefined, problems: refused };
}

const CLUSTER_SCOPED = new Set(['IngressClass', 'IngressClassParams', 'Namespace', 'Node']);

/** An Ingress by its key, as every other problem names it; any other object by kind and key. */
function subjectOf(kind: string, metadata: Json): string {
  const name =
    typeof metadata.name === 'string' && metadata.name !== '' ? metadata.name : '(no name)';
  if (CLUSTER_SCOPED.has(kind)) return `${kind} ${name}`;
  const namespace =
    typeof metadata.namespace === 'string' && metadata.namespace !== ''
      ? metadata.namespace
      : 'default';
  return kind === 'Ingress' ? `${namespace}/${name}` : `${kind} ${namespace}/${name}`;
}
