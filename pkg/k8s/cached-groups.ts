/**
 * One group loaded from the Ingresses of that group alone, instead of regrouping every
 * Ingress of the cluster on every reconcile (9.6 ms per reconcile at 5,000 Ingresses).
 *
 * A {@link GroupIndex} per class config mirrors the Ingress cache: ClusterCaches feeds it
 * every change the cache takes (echoes of our finalizer writes included), and drops every
 * index on any IngressClass, IngressClassParams or Namespace change, which can move any
 * Ingress; the next load rebuilds it from the cache, once. A load then recomputes the
 * contributions of the group's Ingresses from the cache as it is now, so the index only
 * has to name them, and the result is the group `groupIngresses` would return.
 *
 * `undefined` means "no Ingress contributes": the caller falls back to the full grouping
 * then, so a group the index does not know is loaded exactly as before (it is the case
 * where a wrong answer would plan the deletion of an ALB).
 */
import type { V1Ingress, V1IngressClass } from '@kubernetes/client-node';
import type { ClassConfig, ClassParamsInput, IngressGroup } from '../ingress/index.ts';
import { assembleGroup, contributionsOf, GroupIndex, ingressKeyOf } from '../ingress/index.ts';
import type { ChangeType } from './informer.ts';

/** What the index reads of the caches. */
export interface GroupSource {
  /** The cached Ingress `namespace/name`. */
  ingress(key: string): V1Ingress | undefined;
  ingressList(): readonly V1Ingress[];
  ingressClassMap(): ReadonlyMap<string, V1IngressClass>;
  classParamsInput(): ClassParamsInput;
}

interface ConfigIndex {
  readonly config: ClassConfig;
  readonly index: GroupIndex;
}

function configId(config: ClassConfig): string {
  return JSON.stringify([config.controllerName, config.ingressClass]);
}

export class CachedGroups {
  readonly #source: GroupSource;
  readonly #indexes = new Map<string, ConfigIndex>();

  constructor(source: GroupSource) {
    this.#source = source;
  }

  /** The Ingress cache took this change. */
  ingressChanged(type: ChangeType, ingress: V1Ingress): void {
    if (this.#indexes.size === 0) return;
    const key = ingressKeyOf(ingress);
    const classes = this.#source.ingressClassMap();
    const params = this.#source.classParamsInput();
    for (const { config, index } of this.#indexes.values()) {
      if (type === 'deleted') index.delete(key);
      else index.set(key, contributionsOf(ingress, classes, config, params));
    }
  }

  /** A class, params or namespace change: any Ingress may have moved. */
  invalidate(): void {
    this.#indexes.clear();
  }

  /** The group as the full grouping returns it; `undefined` when no Ingress contributes. */
  group(groupId: string, config: ClassConfig): IngressGroup | undefined {
    const { index } = this.#indexFor(config);
    const classes = this.#source.ingressClassMap();
    const params = this.#source.classParamsInput();
    const contributions = index.ingressKeysOf(groupId).flatMap((key) => {
      const ingress = this.#source.ingress(key);
      if (ingress === undefined) return [];
      return contributionsOf(ingress, classes, config, params).filter((c) => c.groupId === groupId);
    });
    return contributions.length === 0 ? undefined : assembleGroup(contributions);
  }

  #indexFor(config: ClassConfig): ConfigIndex {
    const id = configId(config);
    const known = this.#indexes.get(id);
    if (known !== undefined) return known;
    const built: ConfigIndex = {
      config: { controllerName: config.controllerName, ingressClass: config.ingressClass },
      index: new GroupIndex(),
    };
    const classes = this.#source.ingressClassMap();
    const params = this.#source.classParamsInput();
    for (const ingress of this.#source.ingressList()) {
      built.index.set(
        ingressKeyOf(ingress),
        contributionsOf(ingress, classes, built.config, params),
      );
    }
    this.#indexes.set(id, built);
    return built;
  }
}
