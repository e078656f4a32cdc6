/**
 * A problem found while reading a group: pure code reports, never throws. An `error`
 * freezes its member (nothing of it is created, changed or deleted); a `warning` is
 * reported and the member still applies.
 */
export type Severity = 'error' | 'warning';

export interface Problem {
  /**
   * `namespace/name` of the Ingress concerned; for an object read from a file that has no
   * name (`albatross plan -f`), the file and document it came from.
   */
  readonly ingress: string;
  /** The annotation (`alb.ingress.kubernetes.io/scheme`) or field (`spec.rules[0].http.paths[1].path`). */
  readonly field: string;
  /** The value given, verbatim (secrets never appear here). */
  readonly value: string;
  /** What is wrong and what is allowed. */
  readonly message: string;
  readonly severity: Severity;
}
