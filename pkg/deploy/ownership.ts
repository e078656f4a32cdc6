/**
 * The ownership test every write that meets an existing resource applies before using
 * it: found by name (a lagging index, a create that answered "already exists"), it is
 * ours only when it carries our cluster and stack tags. Anything else is never adopted,
 * changed or deleted, whatever its name.
 */
import type { Tags } from '../model/index.ts';
import { TAG_CLUSTER, TAG_RESOURCE, TAG_STACK } from '../naming/index.ts';
import { DeployError } from './context.ts';
import type { DeployContext } from './context.ts';

/** Our cluster's and stack's tags, and (when given) the stack resource id. */
export function ownedBy(
  tags: Tags,
  ctx: DeployContext,
  stackId: string,
  resourceId?: string,
): boolean {
  return (
    tags[TAG_CLUSTER] === ctx.clusterName &&
    tags[TAG_STACK] === stackId &&
    (resourceId === undefined || tags[TAG_RESOURCE] === resourceId)
  );
}

/** The refusal to touch `what` (`id`), which lacks our ownership tags. */
export function notOurs(
  ctx: DeployContext,
  stackId: string,
  what: string,
  id: string,
): DeployError {
  return new DeployError(
    `${what} (${id}) exists but does not carry the ownership tags ${TAG_CLUSTER}=${ctx.clusterName} ` +
      `and ${TAG_STACK}=${stackId}; Albatross never adopts, changes or deletes a resource it does ` +
      `not own: delete or rename it, or tag it as ours if it is`,
  );
}
