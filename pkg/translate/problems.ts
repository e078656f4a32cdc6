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
