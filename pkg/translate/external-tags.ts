/**
 * `--external-managed-tags`: keys another system (a cost tool, a policy engine) manages
 * on our resources. We never add, change or remove them: they are dropped from what we
 * want (the planner only compares keys we want, so theirs are never fought over), and an
 * annotation that names one is a problem, as in aws-load-balancer-controller.
 */
import { albAnnotation } from '../annotations/index.ts';
import type { Problem, Tags } from '../model/index.ts';
import type { TranslateConfig } from './env.ts';
import { problem } from './problems.ts';

export function withoutExternalTags(
  tags: Tags | undefined,
  config: TranslateConfig,
): Tags | undefined {
  const external = config.externalManagedTags ?? [];
  if (tags === undefined || external.length === 0) return tags;
  return Object.fromEntries(Object.entries(tags).filter(([k]) => !external.includes(k)));
}

/** One error per key of `tags` that is externally managed; `origin` names a Service when the tags came from one. */
export function externalTagProblems(
  member: string,
  tags: Tags | undefined,
  config: TranslateConfig,
  origin = '',
): readonly Problem[] {
  const external = config.externalManagedTags ?? [];
  return Object.entries(tags ?? {})
    .filter(([k]) => external.includes(k))
    .map(([k, v]) =>
      problem(
        member,
        albAnnotation('tags'),
        `${k}=${v}`,
        `${origin}tag key '${k}' is managed outside the controller (--external-managed-tags: ${external.join(',')}); remove it from the annotation`,
      ),
    );
}
