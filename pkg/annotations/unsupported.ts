/**
 * Annotations aws-load-balancer-controller reads that Albatross does not implement. None
 * may be ignored in silence: a manifest that asks for a frontend NLB has DNS pointing at
 * that NLB, so building the ALB alone would report success while its users reach
 * nothing. Asking for one is an error, which freezes the Ingress: nothing of it is
 * created or changed, so a group migrating from the reference keeps serving from what
 * the reference built until the annotation is removed. A setting that only refines an
 * unsupported feature, given without it, changes nothing in the reference either: a
 * warning says so.
 *
 * `dry-run-plan` is not here: the reference writes it (its plan, as output), nobody sets it.
 */
import { ALB_PREFIX, albAnnotation, readAnnotation } from './parsed.ts';
import type { AnnotationError, AnnotationMap } from './parsed.ts';
import { parseBool } from './primitives.ts';

interface UnsupportedFeature {
  /** The annotation that turns the feature on (a boolean). */
  readonly switch: string;
  /** What turning it on asks for, and what to do instead. */
  readonly refusal: string;
  /** Annotations that only refine the feature. */
  readonly refinements: (short: string) => boolean;
}

const FEATURES: readonly UnsupportedFeature[] = [
  {
    switch: 'enable-frontend-nlb',
    refusal:
      'asks for a Network Load Balancer in front of the ALB; Albatross does not build frontend NLBs, so DNS pointing at the NLB would reach nothing. Remove the annotation (and the frontend-nlb-* ones) and point DNS at the ALB, or keep this Ingress on aws-load-balancer-controller; until then nothing of this Ingress is created or changed',
    refinements: (short) => short.startsWith('frontend-nlb-'),
  },
  {
    switch: 'create-acm-cert',
    refusal:
      'asks for an ACM certificate to be created; Albatross does not create certificates. Issue or import it in ACM and give certificate-arn, or leave both out and certificate discovery attaches an issued certificate for the hosts; until then nothing of this Ingress is created or changed',
    refinements: (short) => short === 'acm-pca-arn',
  },
];

export function readUnsupportedAnnotations(
  annotations: AnnotationMap | undefined,
  errors: AnnotationError[],
): void {
  const given = Object.keys(annotations ?? {}).sort();
  for (const feature of FEATURES) {
    const field = albAnnotation(feature.switch);
    const on = readAnnotation(annotations, field, parseBool, errors);
    const refinements = given.filter(
      (key) => key.startsWith(ALB_PREFIX) && feature.refinements(key.slice(ALB_PREFIX.length)),
    );
    if (on === true) {
      errors.push({ field, value: 'true', message: feature.refusal });
      continue;
    }
    for (const key of refinements) {
      errors.push({
        field: key,
        value: annotations?.[key] ?? '',
        message: `has no effect: ${field} is not 'true' (and Albatross does not support that feature)`,
        severity: 'warning',
      });
    }
  }
}
