/**
 * The result of reading one annotation: a typed value, or what is wrong with it. The
 * reader adds the annotation's full name and the value given, so every parser only says
 * what is wrong and what is allowed.
 */

export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/** An annotation that could not be read: the name, the value verbatim, what is allowed. */
export interface AnnotationError {
  /** Full annotation name, e.g. `alb.ingress.kubernetes.io/scheme`. */
  readonly field: string;
  /** The value given, verbatim. */
  readonly value: string;
  /** What is wrong and what is allowed. */
  readonly message: string;
  /** A remark that freezes nothing (e.g. an annotation without effect). @default 'error' */
  readonly severity?: 'warning';
}

export type Parser<T> = (raw: string) => Parsed<T>;

export function ok<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

export function bad<T>(message: string): Parsed<T> {
  return { ok: false, message };
}

export type AnnotationMap = Readonly<Record<string, string>>;

/** The prefix of every annotation the reference controller reads. */
export const ALB_PREFIX = 'alb.ingress.kubernetes.io/';

/** `alb.ingress.kubernetes.io/<short>` */
export function albAnnotation(short: string): string {
  return ALB_PREFIX + short;
}

/**
 * Reads `name` from `annotations` with `parse`: `undefined` when absent; on a bad value,
 * records an error and returns `undefined` (the caller freezes the member).
 */
export function readAnnotation<T>(
  annotations: AnnotationMap | undefined,
  name: string,
  parse: Parser<T>,
  errors: AnnotationError[],
): T | undefined {
  if (annotations === undefined || !Object.hasOwn(annotations, name)) return undefined;
  const raw = annotations[name];
  if (typeof raw !== 'string') return undefined;
  const result = parse(raw);
  if (result.ok) return result.value;
  errors.push({ field: name, value: raw, message: result.message });
  return undefined;
}
