/**
 * The errors a reconcile may throw, each with a literal `name` so that the one function
 * that handles them (`handleResult` in controller/) can tell them apart without
 * `instanceof` across module copies. `AwsError` lives with the AWS ports
 * (pkg/aws/errors.ts); these are the rest of the design's family.
 *
 * Pure code never throws these: it returns problems. They are for the shell (k8s,
 * deploy, the reconciler), which turns a condition it cannot resolve into one of them.
 */

/**
 * An annotation or field of one Ingress is invalid. Nothing is retried until the user
 * changes the Ingress (which produces a watch event), so the queue forgets the key.
 */
export class AnnotationError extends Error {
  override readonly name = 'AnnotationError';
  /** `namespace/name` of the Ingress. */
  readonly ingress: string;
  /** The annotation's full name or a field path. */
  readonly field: string;
  /** The value given, verbatim. */
  readonly value: string;

  constructor(
    details: { readonly ingress: string; readonly field: string; readonly value: string },
    message: string,
    cause?: unknown,
  ) {
    super(message, { cause });
    this.ingress = details.ingress;
    this.field = details.field;
    this.value = details.value;
  }
}

/**
 * The controller's configuration or the world it relies on is wrong (no subnets match
 * the discovery tags, an IngressClassParams is invalid). The fix may happen outside
 * the cluster, where no event tells us, so the key is retried with back-off.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(message: string, cause?: unknown) {
    super(message, { cause });
  }
}

/**
 * Not a failure: the reconcile wants to run again after `delayMs` (an ALB still
 * provisioning, a dependency not yet visible). Back-off is reset.
 */
export class RequeueAfter extends Error {
  override readonly name = 'RequeueAfter';
  readonly delayMs: number;

  constructor(delayMs: number, message = `requeue after ${delayMs} ms`, cause?: unknown) {
    super(message, { cause });
    this.delayMs = delayMs;
  }
}

/** Retrying cannot help; the key is forgotten until the next watch event or resync. */
export class TerminalError extends Error {
  override readonly name = 'TerminalError';

  constructor(message: string, cause?: unknown) {
    super(message, { cause });
  }
}
