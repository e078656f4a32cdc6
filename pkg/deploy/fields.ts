/**
 * Updates carry the names of the fields that differ (`healthCheck.path`,
 * `attributes.idle_timeout.timeout_seconds`, `tags.team`): only those are written.
 */
import { AddTagsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Attributes, Tags } from '../model/index.ts';
import { call, sendOptions } from './context.ts';
import type { DeployContext } from './context.ts';
import { toSdkTags } from './to-sdk.ts';

/** The keys of `prefix.*` fields: `keyed(['tags.a', 'port'], 'tags')` → `['a']`. */
export function keyedFields(fields: readonly string[], prefix: string): string[] {
  return fields.filter((f) => f.startsWith(`${prefix}.`)).map((f) => f.slice(prefix.length + 1));
}

/** Only the listed keys of a map. */
export function pick(values: Attributes | Tags, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of keys) {
    const value = values[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** AddTags for the changed tag keys of an ELBv2 resource (tags we no longer set stay). */
export async function addChangedTags(
  ctx: DeployContext,
  arn: string,
  desired: Tags,
  fields: readonly string[],
): Promise<void> {
  const changed = pick(desired, keyedFields(fields, 'tags'));
  if (Object.keys(changed).length === 0) return;
  await call(ctx, 'AddTags', () =>
    ctx.clients.elbv2.send(
      new AddTagsCommand({ ResourceArns: [arn], Tags: toSdkTags(changed) }),
      sendOptions(ctx),
    ),
  );
}
