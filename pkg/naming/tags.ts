/**
 * The ownership tag contract. Every AWS resource Albatross creates carries:
 *
 * - `albatross.dev/cluster`  — the cluster name (`--cluster-name`): two clusters sharing
 *   an account never touch each other's resources;
 * - `albatross.dev/stack`    — the IngressGroup id (`namespace/name` of an implicit group,
 *   or the `group.name`);
 * - `albatross.dev/resource` — the resource's id in the stack (`LoadBalancer`,
 *   `listener/443`, `tg/ns/name/svc:80`, …);
 * - `albatross.dev/ingress`  — on member-owned resources only (listener rules, target
 *   groups): the `namespace/name` of the Ingress they come from, so a frozen member's
 *   resources are recognised in AWS and left alone.
 *
 * Cluster-level resources belong to no single stack and carry no `albatross.dev/stack`:
 * the shared backend security group (`albatross.dev/resource` = `shared-backend`) and the
 * backend rules on the node or pod security groups (`backend-rule/<sg>/<from>-<to>`,
 * the union of every stack's needs). A backend rule is revoked only when no stack of the
 * cluster needs it any more, so deleting one group never cuts another group's traffic.
 *
 * Discovery finds resources by these tags; a resource without them is never modified or
 * deleted, whatever its name. User tags (annotations, default tags) are merged under them
 * and can never override them. Changing a key here orphans every resource in the field.
 */

export const TAG_CLUSTER = 'albatross.dev/cluster';
export const TAG_STACK = 'albatross.dev/stack';
export const TAG_RESOURCE = 'albatross.dev/resource';
export const TAG_INGRESS = 'albatross.dev/ingress';

/**
 * On a rule or listener with an OIDC action: the digest of the client secret it was
 * given. AWS never returns the secret, so this tag is how a changed Secret is told from
 * an unchanged one. Not an ownership tag.
 */
export const TAG_AUTH_SECRET_DIGEST = 'albatross.dev/auth-secret-digest';

export const OWNERSHIP_TAG_KEYS = [TAG_CLUSTER, TAG_STACK, TAG_RESOURCE, TAG_INGRESS] as const;

export interface Ownership {
  readonly cluster: string;
  readonly stack: string;
  readonly resource: string;
  /** `namespace/name` of the member that owns the resource, for member-owned ones. */
  readonly ingress?: string;
}

export type TagSet = Readonly<Record<string, string>>;

/**
 * The tags of one resource: `layers` from lowest to highest precedence (e.g. default
 * tags, then Ingress tags, then Service tags), then the ownership tags over everything.
 * Keys are returned sorted so the same input always serialises the same way.
 */
export function resourceTags(owner: Ownership, ...layers: readonly (TagSet | undefined)[]): TagSet {
  const merged: Record<string, string> = {};
  for (const layer of layers) {
    if (layer === undefined) continue;
    for (const [k, v] of Object.entries(layer)) {
      if ((OWNERSHIP_TAG_KEYS as readonly string[]).includes(k)) continue;
      merged[k] = v;
    }
  }
  merged[TAG_CLUSTER] = owner.cluster;
  merged[TAG_STACK] = owner.stack;
  merged[TAG_RESOURCE] = owner.resource;
  if (owner.ingress !== undefined) merged[TAG_INGRESS] = owner.ingress;
  const sorted: Record<string, string> = {};
  for (const k of Object.keys(merged).sort()) sorted[k] = merged[k] ?? '';
  return sorted;
}
