/**
 * `alb.ingress.kubernetes.io/target-control-port.<service>.<port>` on an Ingress: the
 * port on which the ALB target optimizer's agent on each target talks to the load
 * balancer, for the target group of that Service port (the port as the Ingress's
 * backend names it, number or name). AWS sets it only when a target group is created,
 * so a change means a new target group.
 */
import { albAnnotation, readAnnotation } from './parsed.ts';
import type { AnnotationError, AnnotationMap } from './parsed.ts';
import { intIn } from './primitives.ts';

export function targetControlPortAnnotation(service: string, port: string | number): string {
  return albAnnotation(`target-control-port.${service}.${String(port)}`);
}

/** The port for one target group; `undefined` when not given (or invalid: see `errors`). */
export function readTargetControlPort(
  annotations: AnnotationMap | undefined,
  service: string,
  port: string | number,
  errors: AnnotationError[],
): number | undefined {
  return readAnnotation(
    annotations,
    targetControlPortAnnotation(service, port),
    intIn(1, 65535),
    errors,
  );
}
