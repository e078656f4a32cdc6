/**
 * Discovery can find two target groups for one stack resource: a replace (create the new
 * one under a new name, re-point the rules, delete the old one) interrupted between its
 * steps, by a controller killed or a step that failed. The plan finishes that replace
 * instead of starting it again: the group named as desired is the one kept (creating its
 * name a second time fails DuplicateTargetGroupName, on every retry), and the others are
 * deleted once nothing forwards to them. Without one named as desired, the last found is
 * kept, as a single group would be, and replaced as usual.
 *
 * Apply resolves a stack id to the same group (pkg/deploy/resolve.ts), so the rules are
 * re-pointed at the one kept.
 */

/** The target groups found, by stack resource id, in discovery's order. */
export function targetGroupsById<T extends { readonly id: string }>(
  found: readonly T[],
): ReadonlyMap<string, readonly T[]> {
  const out = new Map<string, T[]>();
  for (const tg of found) {
    const list = out.get(tg.id);
    if (list === undefined) out.set(tg.id, [tg]);
    else list.push(tg);
  }
  return out;
}

/** Of the groups found for one stack resource, the one to keep (see above). */
export function keptTargetGroup<T extends { readonly name: string }>(
  wantedName: string | undefined,
  found: readonly T[],
): T | undefined {
  return found.find((tg) => tg.name === wantedName) ?? found.at(-1);
}
