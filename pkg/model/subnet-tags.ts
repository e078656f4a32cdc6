/** How a `subnets.tags` selector reads in plans and errors: `k=v1|v2, k2=v`, keys sorted. */
export function showSubnetTags(tags: Readonly<Record<string, readonly string[]>>): string {
  return Object.keys(tags)
    .sort()
    .map((k) => `${k}=${(tags[k] ?? []).join('|')}`)
    .join(', ');
}
