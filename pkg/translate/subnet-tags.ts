/**
 * IngressClassParams `subnets.tags` for a group. Params override annotations, so the
 * selector takes the place of any `subnets` annotation. Members of different classes
 * may bring different selectors: the first in group order is kept and a member whose
 * selector differs is frozen, as for a conflicting exclusive annotation.
 */
import type { GroupMember } from '../ingress/group.ts';
import type { Problem } from '../model/index.ts';
import { showSubnetTags } from '../model/index.ts';
import { problem } from './problems.ts';

export type SubnetTags = Readonly<Record<string, readonly string[]>>;

export interface ParamsSubnetTags {
  readonly tags: SubnetTags | undefined;
  readonly problems: readonly Problem[];
}

export function paramsSubnetTags(members: readonly GroupMember[]): ParamsSubnetTags {
  let first: { readonly tags: SubnetTags; readonly shown: string; readonly by: string } | undefined;
  const problems: Problem[] = [];
  for (const m of members) {
    const params = m.params;
    if (params === undefined || params.rejected) continue;
    const tags = params.params.subnetTags;
    if (tags === undefined) continue;
    const shown = showSubnetTags(tags);
    const by = `${m.key} (IngressClassParams ${params.params.name})`;
    if (first === undefined) {
      first = { tags, shown, by };
    } else if (shown !== first.shown) {
      problems.push(
        problem(
          m.key,
          `IngressClassParams ${params.params.name}: spec.subnets.tags`,
          shown,
          `conflicts with ${first.by}, which selects subnets tagged ${first.shown}; the members of a group share one ALB and so one subnet selection`,
        ),
      );
    }
  }
  return { tags: first?.tags, problems };
}
