/**
 * The beta Ingress APIs (`extensions/v1beta1`, `networking.k8s.io/v1beta1`, removed in
 * Kubernetes 1.22) converted to `networking.k8s.io/v1` the way the API server did:
 * `serviceName`/`servicePort` become `service.name` and `service.port.number|name`,
 * `spec.backend` becomes `spec.defaultBackend`, and a path without `pathType` becomes
 * `ImplementationSpecific`. Old manifests still in repositories thus plan as they ran.
 */
import type { V1Ingress } from '@kubernetes/client-node';
import type { Problem } from '../model/index.ts';
import { ingressKeyOf } from './finalizers.ts';

export const LEGACY_INGRESS_API_VERSIONS = [
  'extensions/v1beta1',
  'networking.k8s.io/v1beta1',
] as const;

type Json = Readonly<Record<string, unknown>>;

/** The v1 shapes we write, as plain data (the client's classes are never constructed here). */
interface BackendV1 {
  service?: { name: string; port?: { number: number } | { name: string } };
  resource?: Json;
}
interface PathV1 {
  path?: string;
  pathType: string;
  backend: BackendV1;
}
interface RuleV1 {
  host?: string;
  http?: { paths: PathV1[] };
}
interface SpecV1 {
  ingressClassName?: string;
  defaultBackend?: BackendV1;
  rules?: RuleV1[];
  tls?: Json[];
}

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function records(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Whether a parsed manifest is an Ingress of one of the beta APIs. */
export function isLegacyIngress(document: unknown): document is Json {
  return (
    isRecord(document) &&
    document.kind === 'Ingress' &&
    (LEGACY_INGRESS_API_VERSIONS as readonly unknown[]).includes(document.apiVersion)
  );
}

export interface ConvertedIngress {
  readonly ingress: V1Ingress;
  /** A warning that says the manifest was converted and how to write it today. */
  readonly note: Problem;
}

export function convertLegacyIngress(document: Json): ConvertedIngress {
  const spec = isRecord(document.spec) ? document.spec : {};
  const converted: SpecV1 = {};
  const className = optionalString(spec.ingressClassName);
  if (className !== undefined) converted.ingressClassName = className;
  const backend = convertBackend(spec.backend);
  if (backend !== undefined) converted.defaultBackend = backend;
  if (Array.isArray(spec.rules)) converted.rules = records(spec.rules).map(convertRule);
  if (Array.isArray(spec.tls)) converted.tls = records(spec.tls);

  const manifest: unknown = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: isRecord(document.metadata) ? document.metadata : {},
    spec: converted,
  };
  // The client's model classes are plain data on the wire; ours is the same shape.
  const ingress = manifest as V1Ingress;
  const apiVersion = String(document.apiVersion);
  return {
    ingress,
    note: {
      ingress: ingressKeyOf(ingress),
      field: 'apiVersion',
      value: apiVersion,
      message:
        `${apiVersion} Ingress was removed in Kubernetes 1.22; read as networking.k8s.io/v1 ` +
        `(a path without pathType is ImplementationSpecific); \`albatross convert\` prints the v1 form`,
      severity: 'warning',
    },
  };
}

function convertRule(rule: Json): RuleV1 {
  const converted: RuleV1 = {};
  const host = optionalString(rule.host);
  if (host !== undefined) converted.host = host;
  if (isRecord(rule.http)) converted.http = { paths: records(rule.http.paths).map(convertPath) };
  return converted;
}

function convertPath(path: Json): PathV1 {
  const converted: PathV1 = {
    pathType: optionalString(path.pathType) ?? 'ImplementationSpecific',
    backend: convertBackend(path.backend) ?? {},
  };
  const value = optionalString(path.path);
  if (value !== undefined) converted.path = value;
  return converted;
}

function convertBackend(backend: unknown): BackendV1 | undefined {
  if (!isRecord(backend)) return undefined;
  if (isRecord(backend.resource)) return { resource: backend.resource };
  const name = optionalString(backend.serviceName) ?? '';
  const port = backend.servicePort;
  // IntOrString, as the API server converted it: an int is a number, a string a port name.
  if (typeof port === 'number') return { service: { name, port: { number: port } } };
  if (typeof port === 'string') return { service: { name, port: { name: port } } };
  return { service: { name } };
}
