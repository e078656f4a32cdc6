/**
 * One reconcile of one TargetGroupBinding (`tgb:<namespace>/<name>` keys):
 *
 *   spec read (pure) → refused if an older binding names the same target group → target
 *   group resolved by ARN or name (read only: it is not ours, and nothing but its targets
 *   is ever written), refused if an IngressGroup's stack owns it → finalizer → Service,
 *   EndpointSlices and Nodes from the shared caches → desired targets (pure, the same
 *   rules as an Ingress's target groups) → register/deregister the difference with the
 *   shared target sync → the `networking` rules on the targets' security groups → status.
 *
 * Deleting the binding deregisters its targets (only the ones we registered, for a
 * multi-cluster target group), revokes its rules, and only then releases the finalizer.
 * A target group that is gone by then has no targets left to deregister.
 *
 * Failures are a Ready=False condition and a Warning Event on the binding, then thrown so
 * the queue retries with back-off (a missing target group or Service may appear later,
 * with no watch event for the former). An invalid spec is not retried: the user's edit
 * is the event that retries it.
 *
 * A refused binding (TargetGroupInUse) gets a Ready=False condition and a Warning Event
 * naming what holds the target group, no finalizer, and never registers or deregisters a
 * target; deleting it touches nothing. The holder is re-looked at whenever a binding
 * naming the same target group comes, goes or moves (wireBindingEvents).
 *
 * Steady state: reads only (DescribeTargetGroups, DescribeTags, DescribeTargetHealth,
 * DescribeSecurityGroupRules), no AWS write and no status write.
 */
import {
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { TargetGroup as SdkTargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type CoreV1Api,
  type KubeConfig,
} from '@kubernetes/client-node';
import { AwsError, awsErrorCode, toAwsError } from '../pkg/aws/index.ts';
import type { AwsClients } from '../pkg/aws/index.ts';
import {
  applyTargetSync,
  planTargetSync,
  syncBindingRules,
  TargetGroupsOfTargets,
} from '../pkg/deploy/index.ts';
import type { DeployContext } from '../pkg/deploy/index.ts';
import { ConfigError, TerminalError } from '../pkg/errors/index.ts';
import {
  BINDING_FINALIZER,
  deleteOwnedTargets,
  EventRecorder,
  isConflict,
  isNotFound,
  ownedTargetsName,
  parseBindingWorkKey,
  readOwnedTargets,
  writeOwnedTargets,
} from '../pkg/k8s/index.ts';
import type {
  BindingCache,
  BindingCondition,
  ClusterCaches,
  OwnedTargets,
  TargetGroupBinding,
} from '../pkg/k8s/index.ts';
import type { Target } from '../pkg/model/index.ts';
import { bindingRuleId, TAG_STACK } from '../pkg/naming/index.ts';
import { targetKey } from '../pkg/plan/index.ts';
import {
  bindingRef,
  bindingRules,
  bindingServicePort,
  bindingTargets,
  parseBindingSpec,
  readinessGateName,
  TARGET_GROUP_BINDING,
  targetGroupHolder,
} from '../pkg/translate/index.ts';
import type {
  BindingRule,
  BindingTargetType,
  TargetGroupBindingSpec,
} from '../pkg/translate/index.ts';
import type { ReconcileResult } from './handle-result.ts';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const API_VERSION = `${TARGET_GROUP_BINDING.group}/${TARGET_GROUP_BINDING.version}`;

export const BindingReasons = {
  synced: 'SuccessfullyReconciled',
  invalidSpec: 'InvalidSpec',
  targetGroupNotFound: 'TargetGroupNotFound',
  serviceNotFound: 'ServiceNotFound',
  targetGroupInUse: 'TargetGroupInUse',
  failed: 'FailedReconcile',
  cleanupFailed: 'FailedCleanup',
} as const;

export type BindingCaches = Pick<
  ClusterCaches,
  'serviceMap' | 'endpointSlicesByService' | 'nodeList'
>;

export interface BindingReconcilerOptions {
  readonly bindings: Pick<BindingCache, 'get' | 'list'>;
  readonly caches: BindingCaches;
  readonly kc: KubeConfig;
  readonly core: CoreV1Api;
  readonly clients: AwsClients;
  readonly clusterName: string;
  readonly vpcId: string;
  /** @default one on `core` */
  readonly events?: EventRecorder;
  /** @default Date.now */
  readonly now?: () => number;
  /** By gate, pods to register before their endpoint is ready (ReadinessGates). */
  readonly gatedAddresses?: () => ReadonlyMap<string, ReadonlySet<string>>;
}

interface ResolvedGroup {
  readonly arn: string;
  readonly targetType: BindingTargetType;
  /** Set when an IngressGroup's stack owns the target group. */
  readonly stack?: string;
}

export class BindingReconciler {
  readonly #o: BindingReconcilerOptions;
  readonly #custom: CustomObjectsApi;
  readonly #events: EventRecorder;
  readonly #now: () => number;
  readonly #groups = new TargetGroupsOfTargets();

  constructor(options: BindingReconcilerOptions) {
    this.#o = options;
    this.#custom = options.kc.makeApiClient(CustomObjectsApi);
    this.#events = options.events ?? new EventRecorder(options.core);
    this.#now = options.now ?? Date.now;
  }

  #ctx(signal: AbortSignal): DeployContext {
    return {
      clusterName: this.#o.clusterName,
      vpcId: this.#o.vpcId,
      clients: this.#o.clients,
      signal,
    };
  }

  async reconcile(key: string, signal: AbortSignal): Promise<ReconcileResult> {
    const ref = parseBindingWorkKey(key);
    if (ref === undefined) throw new TerminalError(`not a TargetGroupBinding key: ${key}`);
    const binding = this.#o.bindings.get(ref.namespace, ref.name);
    if (binding === undefined) return { changesApplied: 0 };
    if (binding.metadata?.deletionTimestamp !== undefined) {
      return this.#finalize(binding, signal);
    }
    return this.#sync(binding, signal);
  }

  async #sync(binding: TargetGroupBinding, signal: AbortSignal): Promise<ReconcileResult> {
    let writes = 0;
    const namespace = binding.metadata?.namespace ?? '';
    const parsed = parseBindingSpec(binding.spec);
    if (!parsed.ok) {
      await this.#fail(binding, BindingReasons.invalidSpec, parsed.error);
      throw new TerminalError(parsed.error);
    }
    const spec = parsed.value;
    const holder = targetGroupHolder(binding, this.#o.bindings.list());
    if (holder !== undefined) {
      const message = `${whichGroup(spec)}: TargetGroupBinding ${bindingRef(holder)} already binds this target group, and it alone registers its targets; this binding registers and deregisters none until that one is deleted or names another target group`;
      await this.#fail(binding, BindingReasons.targetGroupInUse, message);
      throw new TerminalError(message);
    }
    const ctx = this.#ctx(signal);
    // Resolved and checked before the finalizer: a refused binding holds nothing to clean up.
    const group = await this.#resolveGroup(binding, spec, ctx);
    if (group.stack !== undefined) {
      const message = `${whichGroup(spec)}: the target group belongs to the load balancer of IngressGroup ${group.stack} (tag ${TAG_STACK}), whose targets that Ingress keeps; a TargetGroupBinding may only bind a target group made outside Albatross`;
      await this.#fail(binding, BindingReasons.targetGroupInUse, message);
      throw new TerminalError(message);
    }
    if (!(binding.metadata?.finalizers ?? []).includes(BINDING_FINALIZER)) {
      await this.#editFinalizers(binding, (list) => [...list, BINDING_FINALIZER]);
      writes += 1;
    }
    const service = this.#o.caches.serviceMap().get(`${namespace}/${spec.serviceRef.name}`);
    if (service === undefined) {
      const message = `spec.serviceRef.name: Service ${namespace}/${spec.serviceRef.name} not found`;
      await this.#fail(binding, BindingReasons.serviceNotFound, message);
      throw new ConfigError(message);
    }
    const desired = bindingTargets(spec, group.targetType, {
      service,
      slices:
        this.#o.caches.endpointSlicesByService().get(`${namespace}/${spec.serviceRef.name}`) ?? [],
      nodes: this.#o.caches.nodeList(),
      ...gatedFor(this.#o.gatedAddresses, binding),
    });
    const port = bindingServicePort(service, spec.serviceRef.port);
    if (!desired.ok || !port.ok) {
      const message = !desired.ok ? desired.error : port.ok ? '' : port.error;
      await this.#fail(binding, BindingReasons.invalidSpec, message);
      throw new TerminalError(message);
    }
    const rules = bindingRules(spec, group.targetType, port.value, desired.value);
    if (!rules.ok) {
      await this.#fail(binding, BindingReasons.invalidSpec, rules.error);
      throw new TerminalError(rules.error);
    }
    try {
      writes += await this.#syncTargets(binding, spec, group.arn, desired.value, ctx);
      writes += await this.#syncRules(binding, group.targetType, desired.value, rules.value, ctx);
    } catch (err) {
      await this.#fail(binding, BindingReasons.failed, messageOf(err));
      throw err;
    }
    const registered = desired.value.length;
    writes += await this.#writeReady(binding, {
      type: 'Ready',
      status: 'True',
      reason: BindingReasons.synced,
      message: `${String(registered)} target${registered === 1 ? '' : 's'} of Service ${spec.serviceRef.name} port ${String(spec.serviceRef.port)} in ${group.arn}`,
    });
    return { changesApplied: writes };
  }

  async #syncTargets(
    binding: TargetGroupBinding,
    spec: TargetGroupBindingSpec,
    arn: string,
    desired: readonly Target[],
    ctx: DeployContext,
  ): Promise<number> {
    const { namespace = '', name = '' } = binding.metadata ?? {};
    const multi = spec.multiClusterTargetGroup === true;
    let owned: OwnedTargets | undefined = multi
      ? await readOwnedTargets(this.#o.core, namespace, ownedTargetsName(name))
      : undefined;
    const diff = await planTargetSync(ctx, arn, desired, owned?.keys);
    if (diff.register.length === 0 && diff.deregister.length === 0) return 0;
    let writes = 0;
    const record = (state: OwnedTargets, keys: ReadonlySet<string>) =>
      writeOwnedTargets(
        this.#o.core,
        namespace,
        ownedTargetsName(name),
        ownerOf(binding),
        state,
        keys,
      );
    if (owned !== undefined && diff.register.some((t) => !owned?.keys.has(targetKey(t)))) {
      owned = await record(owned, new Set([...owned.keys, ...diff.register.map(targetKey)]));
      writes += 1;
    }
    writes += await applyTargetSync(ctx, arn, diff);
    if (owned !== undefined && diff.deregister.length > 0) {
      const gone = new Set(diff.deregister.map(targetKey));
      await record(owned, new Set([...owned.keys].filter((k) => !gone.has(k))));
      writes += 1;
    }
    return writes;
  }

  async #syncRules(
    binding: TargetGroupBinding,
    targetType: BindingTargetType,
    targets: readonly Target[],
    rules: readonly BindingRule[],
    ctx: DeployContext,
  ): Promise<number> {
    const { namespace = '', name = '' } = binding.metadata ?? {};
    let groupIds: string[] = [];
    if (rules.length > 0) {
      const ids = targets.map((t) => t.id);
      await this.#groups.load(
        ctx,
        targetType === 'instance' ? ids : [],
        targetType === 'ip' ? ids : [],
      );
      groupIds = this.#groups.groupsOf(targetType, ids);
    }
    const done = await syncBindingRules(ctx, bindingRuleId(namespace, name), groupIds, rules);
    return done.authorized + done.revoked;
  }

  async #finalize(binding: TargetGroupBinding, signal: AbortSignal): Promise<ReconcileResult> {
    if (!(binding.metadata?.finalizers ?? []).includes(BINDING_FINALIZER))
      return { changesApplied: 0 };
    const { namespace = '', name = '' } = binding.metadata ?? {};
    const ctx = this.#ctx(signal);
    let writes = 0;
    const parsed = parseBindingSpec(binding.spec);
    try {
      // Another binding holding the target group, or an Ingress owning it, keeps its
      // targets: this binding never registered them.
      const held = targetGroupHolder(binding, this.#o.bindings.list()) !== undefined;
      if (parsed.ok && !held) {
        const found = await this.#describeGroup(parsed.value, ctx);
        const arn = found?.TargetGroupArn;
        // A target group already gone holds no targets of ours.
        if (arn !== undefined && (await this.#stackOf(arn, ctx)) === undefined) {
          writes += await this.#syncTargets(binding, parsed.value, arn, [], ctx);
        }
      }
      const done = await syncBindingRules(ctx, bindingRuleId(namespace, name), [], []);
      writes += done.revoked;
      await deleteOwnedTargets(this.#o.core, namespace, ownedTargetsName(name));
    } catch (err) {
      await this.#warn(binding, BindingReasons.cleanupFailed, messageOf(err));
      throw err;
    }
    await this.#editFinalizers(binding, (list) => list.filter((f) => f !== BINDING_FINALIZER));
    return { changesApplied: writes + 1 };
  }

  /** The IngressGroup whose stack owns the target group (its `albatross.dev/stack` tag). */
  async #stackOf(arn: string, ctx: DeployContext): Promise<string | undefined> {
    try {
      const out = await ctx.clients.elbv2.send(
        new DescribeTagsCommand({ ResourceArns: [arn] }),
        ctx.signal === undefined ? {} : { abortSignal: ctx.signal },
      );
      return out.TagDescriptions?.[0]?.Tags?.find((t) => t.Key === TAG_STACK)?.Value;
    } catch (err) {
      throw toAwsError('DescribeTags', err);
    }
  }

  async #describeGroup(
    spec: TargetGroupBindingSpec,
    ctx: DeployContext,
  ): Promise<SdkTargetGroup | undefined> {
    try {
      const out = await ctx.clients.elbv2.send(
        new DescribeTargetGroupsCommand(
          spec.targetGroupARN !== undefined
            ? { TargetGroupArns: [spec.targetGroupARN] }
            : { Names: [spec.targetGroupName ?? ''] },
        ),
        ctx.signal === undefined ? {} : { abortSignal: ctx.signal },
      );
      return out.TargetGroups?.[0];
    } catch (err) {
      if (awsErrorCode(err) === 'TargetGroupNotFound') return undefined;
      throw toAwsError('DescribeTargetGroups', err);
    }
  }

  async #resolveGroup(
    binding: TargetGroupBinding,
    spec: TargetGroupBindingSpec,
    ctx: DeployContext,
  ): Promise<ResolvedGroup> {
    let found: SdkTargetGroup | undefined;
    try {
      found = await this.#describeGroup(spec, ctx);
    } catch (err) {
      await this.#fail(binding, BindingReasons.failed, messageOf(err));
      throw err;
    }
    const which = whichGroup(spec);
    if (found?.TargetGroupArn === undefined) {
      const message = `${which}: no such target group`;
      await this.#fail(binding, BindingReasons.targetGroupNotFound, message);
      throw new AwsError('DescribeTargetGroups', 'TargetGroupNotFound', message, true);
    }
    const actualType = found.TargetType;
    const mismatch = (message: string): Promise<never> =>
      this.#fail(binding, BindingReasons.invalidSpec, message).then(() => {
        throw new TerminalError(message);
      });
    if (actualType !== 'instance' && actualType !== 'ip') {
      return mismatch(
        `${which}: target type "${String(actualType)}" is not supported; allowed: instance, ip`,
      );
    }
    if (spec.targetType !== undefined && spec.targetType !== actualType) {
      return mismatch(
        `spec.targetType: "${spec.targetType}" differs from the target group's type "${actualType}"`,
      );
    }
    const vpc = spec.vpcID ?? this.#o.vpcId;
    if (found.VpcId !== undefined && found.VpcId !== vpc) {
      return mismatch(
        `${spec.vpcID !== undefined ? 'spec.vpcID' : 'the cluster VPC'}: "${vpc}" differs from the target group's VPC "${found.VpcId}"`,
      );
    }
    let stack: string | undefined;
    try {
      stack = await this.#stackOf(found.TargetGroupArn, ctx);
    } catch (err) {
      await this.#fail(binding, BindingReasons.failed, messageOf(err));
      throw err;
    }
    return {
      arn: found.TargetGroupArn,
      targetType: actualType,
      ...(stack !== undefined ? { stack } : {}),
    };
  }

  async #fail(binding: TargetGroupBinding, reason: string, message: string): Promise<void> {
    await this.#warn(binding, reason, message);
    try {
      await this.#writeReady(binding, { type: 'Ready', status: 'False', reason, message });
    } catch {
      // The failure itself is what must reach the queue; the status write is a courtesy.
    }
  }

  async #warn(binding: TargetGroupBinding, reason: string, message: string): Promise<void> {
    try {
      await this.#events.record(
        {
          apiVersion: API_VERSION,
          kind: TARGET_GROUP_BINDING.kind,
          metadata: binding.metadata ?? {},
        },
        'Warning',
        reason,
        message,
      );
    } catch {
      // An Event that cannot be written must not hide the failure it reports.
    }
  }

  /** Writes the Ready condition and observedGeneration when either changed; 1 if written. */
  async #writeReady(
    binding: TargetGroupBinding,
    ready: Omit<BindingCondition, 'lastTransitionTime' | 'observedGeneration'>,
  ): Promise<number> {
    const generation = binding.metadata?.generation;
    const old = (binding.status?.conditions ?? []).find((c) => c.type === 'Ready');
    if (
      old?.status === ready.status &&
      old.reason === ready.reason &&
      old.message === ready.message &&
      binding.status?.observedGeneration === generation
    ) {
      return 0;
    }
    const lastTransitionTime =
      old?.status === ready.status && old.lastTransitionTime !== undefined
        ? old.lastTransitionTime
        : new Date(this.#now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const condition: BindingCondition = {
      ...ready,
      lastTransitionTime,
      ...(generation !== undefined ? { observedGeneration: generation } : {}),
    };
    const others = (binding.status?.conditions ?? []).filter((c) => c.type !== 'Ready');
    try {
      await this.#custom.patchNamespacedCustomObjectStatus(
        {
          ...TARGET_GROUP_BINDING,
          namespace: binding.metadata?.namespace ?? '',
          name: binding.metadata?.name ?? '',
          body: {
            status: {
              ...(generation !== undefined ? { observedGeneration: generation } : {}),
              conditions: [...others, condition],
            },
          },
        },
        mergePatch,
      );
    } catch (err) {
      if (isNotFound(err)) return 0;
      throw err;
    }
    if (ready.status === 'True' && old?.status !== 'True') {
      await this.#events
        .record(
          {
            apiVersion: API_VERSION,
            kind: TARGET_GROUP_BINDING.kind,
            metadata: binding.metadata ?? {},
          },
          'Normal',
          ready.reason ?? BindingReasons.synced,
          ready.message ?? '',
        )
        .catch(() => undefined);
    }
    return 1;
  }

  /** A merge patch carrying the resourceVersion read: a 409 means re-read and retry. */
  async #editFinalizers(
    binding: TargetGroupBinding,
    edit: (list: readonly string[]) => string[],
  ): Promise<void> {
    const namespace = binding.metadata?.namespace ?? '';
    const name = binding.metadata?.name ?? '';
    let current = binding;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#custom.patchNamespacedCustomObject(
          {
            ...TARGET_GROUP_BINDING,
            namespace,
            name,
            body: {
              metadata: {
                finalizers: edit(current.metadata?.finalizers ?? []),
                resourceVersion: current.metadata?.resourceVersion,
              },
            },
          },
          mergePatch,
        );
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err) || attempt >= 5) throw err;
      }
      current = (await this.#custom.getNamespacedCustomObject({
        ...TARGET_GROUP_BINDING,
        namespace,
        name,
      })) as TargetGroupBinding;
    }
  }
}

/** The gated pods of this binding's gate, when readiness gates are on. */
function gatedFor(
  gated: BindingReconcilerOptions['gatedAddresses'],
  binding: TargetGroupBinding,
): { gated?: ReadonlySet<string> } {
  const ips = gated?.().get(readinessGateName(binding.metadata?.name ?? ''));
  return ips !== undefined ? { gated: ips } : {};
}

function ownerOf(binding: TargetGroupBinding) {
  return {
    apiVersion: API_VERSION,
    kind: TARGET_GROUP_BINDING.kind,
    name: binding.metadata?.name ?? '',
    uid: binding.metadata?.uid ?? '',
  };
}

/** The field that names the target group, and its value, for messages. */
function whichGroup(spec: TargetGroupBindingSpec): string {
  return spec.targetGroupARN !== undefined
    ? `spec.targetGroupARN: "${spec.targetGroupARN}"`
    : `spec.targetGroupName: "${spec.targetGroupName ?? ''}"`;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
