/**
 * Target-group annotations. They may sit on the Service or on the Ingress; the Service's
 * value wins, then the Ingress's, then the default (see {@link readTargetGroupAnnotations}).
 */
import type { BackendProtocol, ProtocolVersion, TargetType } from '../model/index.ts';
import { parseAttributes, parseNodeLabels, parseTags } from './load-balancer.ts';
import { albAnnotation, bad, ok, readAnnotation } from './parsed.ts';
import type { AnnotationError, AnnotationMap, Parsed, Parser } from './parsed.ts';
import { intIn, oneOf, parseBool } from './primitives.ts';

export const parseTargetType: Parser<TargetType> = oneOf<TargetType>(['instance', 'ip']);
export const parseBackendProtocol: Parser<BackendProtocol> = oneOf<BackendProtocol>([
  'HTTP',
  'HTTPS',
]);
export const parseProtocolVersion: Parser<ProtocolVersion> = oneOf<ProtocolVersion>([
  'HTTP1',
  'HTTP2',
  'GRPC',
]);

export type HealthCheckPort =
  | { readonly kind: 'traffic-port' }
  | { readonly kind: 'number'; readonly port: number }
  | { readonly kind: 'name'; readonly name: string };

/** `traffic-port`, a port number, or the name of a Service port. */
export function parseHealthCheckPort(raw: string): Parsed<HealthCheckPort> {
  if (raw === 'traffic-port') return ok({ kind: 'traffic-port' });
  if (/^[0-9]+$/.test(raw)) {
    const n = Number(raw);
    if (n >= 1 && n <= 65535) return ok({ kind: 'number', port: n });
    return bad("must be 'traffic-port', a port number from 1 to 65535, or a named port");
  }
  if (/^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$/.test(raw)) return ok({ kind: 'name', name: raw });
  return bad("must be 'traffic-port', a port number from 1 to 65535, or a named port");
}

export function parseHealthCheckPath(raw: string): Parsed<string> {
  if (!raw.startsWith('/') || raw.length > 1024 || /\s/.test(raw)) {
    return bad("must be a path starting with '/', at most 1024 characters, without spaces");
  }
  return ok(raw);
}

/** `200`, `200,202`, `200-299`: HTTP codes 200..499, or gRPC codes 0..99. */
export function parseSuccessCodes(raw: string): Parsed<string> {
  const form = "must be codes like '200', '200,201' or '200-299' (HTTP 200-499, gRPC 0-99)";
  const parts = raw.split(',').map((s) => s.trim());
  for (const part of parts) {
    const m = /^([0-9]{1,3})(?:-([0-9]{1,3}))?$/.exec(part);
    if (m === null) return bad(form);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    const httpOk = lo >= 200 && hi <= 499;
    const grpcOk = lo >= 0 && hi <= 99;
    if (hi < lo || (!httpOk && !grpcOk)) return bad(form);
  }
  return ok(parts.join(','));
}

/** Every target-group setting a user can give; `undefined` = not given here. */
export interface TargetGroupAnnotations {
  readonly targetType: TargetType | undefined;
  readonly backendProtocol: BackendProtocol | undefined;
  readonly backendProtocolVersion: ProtocolVersion | undefined;
  readonly attributes: Readonly<Record<string, string>> | undefined;
  readonly nodeLabels: Readonly<Record<string, string>> | undefined;
  readonly healthCheckPort: HealthCheckPort | undefined;
  readonly healthCheckProtocol: BackendProtocol | undefined;
  readonly healthCheckPath: string | undefined;
  readonly healthCheckIntervalSeconds: number | undefined;
  readonly healthCheckTimeoutSeconds: number | undefined;
  readonly healthyThresholdCount: number | undefined;
  readonly unhealthyThresholdCount: number | undefined;
  readonly successCodes: string | undefined;
  readonly tags: Readonly<Record<string, string>> | undefined;
  /** `multi-cluster-target-group`: other clusters register targets too. */
  readonly multiClusterTargetGroup: boolean | undefined;
}

/** Reads the target-group annotations of one object (Ingress or Service). */
export function readTargetGroupAnnotationsOf(
  annotations: AnnotationMap | undefined,
  errors: AnnotationError[],
): TargetGroupAnnotations {
  const read = <T>(short: string, parse: Parser<T>): T | undefined =>
    readAnnotation(annotations, albAnnotation(short), parse, errors);
  return {
    targetType: read('target-type', parseTargetType),
    backendProtocol: read('backend-protocol', parseBackendProtocol),
    backendProtocolVersion: read('backend-protocol-version', parseProtocolVersion),
    attributes: read('target-group-attributes', parseAttributes),
    nodeLabels: read('target-node-labels', parseNodeLabels),
    healthCheckPort: read('healthcheck-port', parseHealthCheckPort),
    healthCheckProtocol: read('healthcheck-protocol', parseBackendProtocol),
    healthCheckPath: read('healthcheck-path', parseHealthCheckPath),
    healthCheckIntervalSeconds: read('healthcheck-interval-seconds', intIn(5, 300)),
    healthCheckTimeoutSeconds: read('healthcheck-timeout-seconds', intIn(2, 120)),
    healthyThresholdCount: read('healthy-threshold-count', intIn(2, 10)),
    unhealthyThresholdCount: read('unhealthy-threshold-count', intIn(2, 10)),
    successCodes: read('success-codes', parseSuccessCodes),
    tags: read('tags', parseTags),
    multiClusterTargetGroup: read('multi-cluster-target-group', parseBool),
  };
}

/**
 * Service annotation > Ingress annotation, field by field. Errors on the Service are
 * reported with the Service named in the message, since the field is the same name.
 */
export function readTargetGroupAnnotations(
  ingress: AnnotationMap | undefined,
  service: AnnotationMap | undefined,
  serviceKey: string,
): { readonly value: TargetGroupAnnotations; readonly errors: readonly AnnotationError[] } {
  const ingressErrors: AnnotationError[] = [];
  const serviceErrors: AnnotationError[] = [];
  const ing = readTargetGroupAnnotationsOf(ingress, ingressErrors);
  const svc = readTargetGroupAnnotationsOf(service, serviceErrors);
  const value: TargetGroupAnnotations = {
    targetType: svc.targetType ?? ing.targetType,
    backendProtocol: svc.backendProtocol ?? ing.backendProtocol,
    backendProtocolVersion: svc.backendProtocolVersion ?? ing.backendProtocolVersion,
    attributes: svc.attributes ?? ing.attributes,
    nodeLabels: svc.nodeLabels ?? ing.nodeLabels,
    healthCheckPort: svc.healthCheckPort ?? ing.healthCheckPort,
    healthCheckProtocol: svc.healthCheckProtocol ?? ing.healthCheckProtocol,
    healthCheckPath: svc.healthCheckPath ?? ing.healthCheckPath,
    healthCheckIntervalSeconds: svc.healthCheckIntervalSeconds ?? ing.healthCheckIntervalSeconds,
    healthCheckTimeoutSeconds: svc.healthCheckTimeoutSeconds ?? ing.healthCheckTimeoutSeconds,
    healthyThresholdCount: svc.healthyThresholdCount ?? ing.healthyThresholdCount,
    unhealthyThresholdCount: svc.unhealthyThresholdCount ?? ing.unhealthyThresholdCount,
    successCodes: svc.successCodes ?? ing.successCodes,
    multiClusterTargetGroup: svc.multiClusterTargetGroup ?? ing.multiClusterTargetGroup,
    // Tags merge rather than replace: a Service adds to (and wins over) the Ingress's.
    tags:
      svc.tags === undefined && ing.tags === undefined ? undefined : { ...ing.tags, ...svc.tags },
  };
  return {
    value,
    errors: [
      // Ingress-level errors are reported once, by the member's own reading; only the
      // Service's are new here.
      ...serviceErrors.map((e) => ({ ...e, message: `on Service ${serviceKey}: ${e.message}` })),
    ],
  };
}
