/**
 * Widens a field the generated Kubernetes types call required to "possibly missing":
 * objects read from files or an old API server do not honour those types, and
 * buildStack must not throw on them.
 */
export function maybe<T>(value: T): T | undefined {
  return value;
}
