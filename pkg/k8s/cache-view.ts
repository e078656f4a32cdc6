/**
 * A read-only map over an informer's cache keyed by `namespace/name`, so Env can be
 * handed the caches without copying 2,000 Services into a Map on every reconcile.
 */
import type { KubernetesObject } from '@kubernetes/client-node';

export interface CacheSource<T> {
  get(name: string, namespace?: string): T | undefined;
  list(namespace?: string): readonly T[];
}

function split(key: string): [string, string] {
  const slash = key.indexOf('/');
  return slash < 0 ? ['', key] : [key.slice(0, slash), key.slice(slash + 1)];
}

export function objectKey(object: KubernetesObject): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}

export class CacheView<T extends KubernetesObject> implements ReadonlyMap<string, T> {
  readonly #source: CacheSource<T>;

  constructor(source: CacheSource<T>) {
    this.#source = source;
  }

  get(key: string): T | undefined {
    const [namespace, name] = split(key);
    return this.#source.get(name, namespace);
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  get size(): number {
    return this.#source.list().length;
  }

  *entries(): MapIterator<[string, T]> {
    for (const object of this.#source.list()) yield [objectKey(object), object];
  }

  *keys(): MapIterator<string> {
    for (const [key] of this.entries()) yield key;
  }

  *values(): MapIterator<T> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): MapIterator<[string, T]> {
    return this.entries();
  }

  forEach(fn: (value: T, key: string, map: ReadonlyMap<string, T>) => void): void {
    for (const [key, value] of this.entries()) fn(value, key, this);
  }
}
