/**
 * What every deploy call needs: who we are (cluster), where (VPC), the counted clients,
 * and the reconcile's AbortSignal. One helper sends each call so that every failure
 * reaches the caller as an AwsError naming the operation, and an aborted reconcile stops
 * at its next call.
 */
import { AwsError, awsErrorCode, retryEventualConsistency, toAwsError } from '../aws/index.ts';
import type { AwsClients } from '../aws/index.ts';
import type { SecretSource } from './auth-secrets.ts';

export interface DeployContext {
  /** `--cluster-name`: the value of the `albatross.dev/cluster` tag. */
  readonly clusterName: string;
  /** The VPC our security groups and target groups are created in. */
  readonly vpcId: string;
  readonly clients: AwsClients;
  readonly signal?: AbortSignal;
  /** Where OIDC client secrets are read at apply time; without it they cannot be sent. */
  readonly secrets?: SecretSource;
}

/** The options every SDK `send` takes: the reconcile's signal, when there is one. */
export function sendOptions(ctx: DeployContext): { abortSignal?: AbortSignal } {
  return ctx.signal === undefined ? {} : { abortSignal: ctx.signal };
}

/** Runs one AWS call; a failure becomes an AwsError naming `operation`. */
export async function call<T>(
  ctx: DeployContext,
  operation: string,
  send: () => Promise<T>,
): Promise<T> {
  ctx.signal?.throwIfAborted();
  try {
    return await send();
  } catch (err) {
    throw toAwsError(operation, err);
  }
}

/**
 * Runs a delete (or revoke) for which "already gone" is success: a delete repeated after
 * a crash, or racing another writer, has done its job.
 */
export async function unlessGone<T>(
  goneCode: string,
  send: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await send();
  } catch (err) {
    if (awsErrorCode(err) === goneCode) return undefined;
    throw err;
  }
}

/**
 * Sends `items` in one call for which `doneCode` means "already so": an authorization
 * that exists (InvalidPermission.Duplicate), a revoke of what is gone
 * (InvalidPermission.NotFound) — the call's own effect, met on the SDK's retry after the
 * answer was lost, or a racing writer's. EC2 then refuses the whole call and changes
 * nothing, so a batch of several is sent again item by item, each taking `doneCode` as done.
 */
export async function eachUnlessDone<I>(
  doneCode: string,
  items: readonly I[],
  send: (batch: I[]) => Promise<unknown>,
): Promise<void> {
  if (items.length === 0) return;
  try {
    await send([...items]);
    return;
  } catch (err) {
    if (awsErrorCode(err) !== doneCode) throw err;
    if (items.length === 1) return;
  }
  for (const item of items) await unlessGone(doneCode, () => send([item]));
}

/**
 * Runs one AWS call that may meet eventual consistency (a target group still in use just
 * after its rules went, a security group still attached to a deleting ALB).
 */
export async function callRetrying<T>(
  ctx: DeployContext,
  operation: string,
  send: () => Promise<T>,
): Promise<T> {
  ctx.signal?.throwIfAborted();
  return retryEventualConsistency(
    operation,
    send,
    ctx.signal === undefined ? {} : { signal: ctx.signal },
  );
}

/**
 * A step that cannot be performed for a reason of ours, not AWS's: an unresolved subnet
 * selection, a security group name that matches nothing. Not retryable: the input must
 * change first.
 */
export class DeployError extends Error {
  override readonly name = 'DeployError';
  readonly retryable = false;
}

/** An AwsError whose message also names the plan step that failed. */
export function stepError(
  step: { readonly op: string; readonly kind: string; readonly id: string },
  err: unknown,
): Error {
  const where = `${step.op} ${step.kind} ${step.id}`;
  if (err instanceof AwsError) {
    const detail = err.message.startsWith(`${err.operation}: ${err.code}: `)
      ? err.message.slice(`${err.operation}: ${err.code}: `.length)
      : err.message;
    return new AwsError(err.operation, err.code, `${detail} (step: ${where})`, err.retryable, err);
  }
  if (err instanceof DeployError)
    return new DeployError(`${err.message} (step: ${where})`, { cause: err });
  return err instanceof Error ? err : new Error(String(err));
}
