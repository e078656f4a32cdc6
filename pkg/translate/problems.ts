import type { Problem, Severity } from '../model/index.ts';

export function problem(
  ingress: string,
  field: string,
  value: string,
  message: string,
  severity: Severity = 'error',
): Problem {
  return { ingress, field, value, message, severity };
}

/** A field's value as the user wrote it, for `Problem.value`, whatever its type. */
export function verbatim(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  return JSON.stringify(value);
}
