/**
 * One reconcile of one IngressGroup, as the design's flow:
 *
 *   load the group from the caches (active members sorted, inactive ones holding our
 *   finalizer) → finalizers on active members, before any AWS write → resolve the
 *   environment read-only (caches; subnets from a short-lived cache; the shared backend
 *   security group) → buildStack (pure) → Warning Events for problems on the members
 *   concerned → discoverStack → planChanges (pure) → applyPlan → status on every active
 *   member (only where it changed) → release inactive members' finalizers.
 *
 * A group with no active member builds an empty stack (no load balancer), so the plan
 * deletes everything of ours and only then are the finalizers released.
 *
 * `targets:<group>` keys (EndpointSlice and Node changes, see pkg/k8s/work-keys.ts) take
 * a cheaper path when the group's target groups are known from an earlier full
 * reconcile: read only their registered targets and register/deregister the difference.
 * Anything unexpected (an unknown target group, one that vanished) falls back to a full
 * reconcile, which also does target registration.
 *
 * Steady state: discovery goes through a DiscoveryCache (pkg/deploy/discovery-cache.ts).
 * A group whose desired stack is the same as at its last reconcile that planned nothing
 * is verified with 1 + L reads instead of discovered in full. An apply that succeeded in
 * full keeps the stack as it left it (so a new Ingress is not read twice); a failure or
 * a targets-only change drops the group's entry, so the next reconcile reads in full.
 *
 * Backend access is cluster-level (pkg/deploy/backend-access.ts): the rules on the node or
 * pod security groups are the union of every group's needs, not any one stack's. When a
 * group's needs change, the rules are authorized BEFORE its apply (so a new target is
 * never registered where the ALB cannot reach it, and its health checks pass at once),
 * and revoked only AFTER its apply, and only when the needs shrank or the group is gone
 * (so old targets keep serving until the ALB stops sending to them). Runs are serialized
 * in this process (two concurrent runs could revoke what the other just authorized) and
 * a request joins a run still waiting. Nothing is revoked unless every group's needs are
 * known (each built since start, none with a frozen member, all namespaces watched); a
 * periodic `backend-access:` key repairs drift and reads targets' groups afresh.
 *
 * A delete AWS refuses because the resource is still in use (a security group its deleted
 * ALB's interfaces linger on, a target group a rule outside the stack forwards to) is a
 * hold, not an error: the rest of the plan is applied, no finalizer is released, each
 * member hears what the group waits for (Event `WaitingOnAws`), and the group comes back
 * after a bounded, growing delay (aws-hold-wait.ts), trying each held delete once.
 *
 * Errors are thrown (AwsError, DeployError, Kubernetes ApiException, AbortError); the
 * caller turns them into a queue action with handleResult. Every failure is also an
 * Event on the members it concerns, with a reason per failure.
 */
import type { CoreV1Api, NetworkingV1Api, V1Ingress } from '@kubernetes/client-node';
import { AwsError } from '../pkg/aws/index.ts';
import type { AwsClients } from '../pkg/aws/index.ts';
import {
  applyPlan,
  DeployError,
  DiscoveryCache,
  ensureBackendSecurityGroup,
  forgetBackendSecurityGroup,
  hasNewTargetGroups,
  listStacks,
  namesOf,
  planTargetSync,
  QuotaError,
  reconcileBackendAccess,
  stackFingerprint,
  TargetGroupsOfTargets,
  unadmittedTargets,
  withAddons,
} from '../pkg/deploy/index.ts';
import type {
  AwsHold,
  BackendAccessResult,
  DeployContext,
  DiscoveryKind,
} from '../pkg/deploy/index.ts';
import type { GroupMember, IngressGroup } from '../pkg/ingress/index.ts';
import { finalizerFor, groupIngresses } from '../pkg/ingress/index.ts';
import {
  addFinalizer,
  EventRecorder,
  groupWorkKey,
  parseWorkKey,
  removeFinalizer,
  writeIngressStatus,
} from '../pkg/k8s/index.ts';
import type { ClusterCaches, GroupKeyMapper, WorkItem } from '../pkg/k8s/index.ts';
import type { ActualStack, DuplicateKind, Problem, Stack } from '../pkg/model/index.ts';
import { DEFAULT_NODE_PORT_RANGE, planChanges } from '../pkg/plan/index.ts';
import type { NodePortRange, Plan, PlannedChange, TargetsStep } from '../pkg/plan/index.ts';
import { buildStack, needsCertificates, oidcSecretsReferenced } from '../pkg/translate/index.ts';
import type { Env, TranslateConfig } from '../pkg/translate/index.ts';
import { holdDelayMs, holdEvent, nextHoldWait } from './aws-hold-wait.ts';
import type { HoldWait } from './aws-hold-wait.ts';
import { CertificateCache } from './certificate-cache.ts';
import { handleResult } from './handle-result.ts';
import type { HandledResult, ReconcileResult } from './handle-result.ts';
import type { Logger } from './log.ts';
import { MultiClusterTargets } from './multi-cluster-targets.ts';
import { SubnetCache } from './subnet-cache.ts';

/** The caches the reconciler reads (ClusterCaches satisfies it). */
export type ReconcilerCaches = Pick<
  ClusterCaches,
  | 'ingressList'
  | 'ingressClassMap'
  | 'serviceMap'
  | 'endpointSlicesByService'
  | 'nodeList'
  | 'oidcSecrets'
  | 'useSecrets'
  | 'hasSynced'
> &
  Partial<Pick<ClusterCaches, 'classParamsInput' | 'groupOf'>>;

export interface ReconcilerOptions {
  readonly caches: ReconcilerCaches;
  readonly mapper: GroupKeyMapper;
  readonly networking: NetworkingV1Api;
  readonly core: CoreV1Api;
  readonly clients: AwsClients;
  readonly vpcId: string;
  readonly translate: TranslateConfig;
  /** Only this namespace is watched: garbage collection must not touch the others. */
  readonly watchNamespace?: string;
  /** Records Events; @default one on `core` */
  readonly events?: EventRecorder;
  /** Shared subnet cache; @default one per reconciler, 60 s */
  readonly subnets?: SubnetCache;
  /** For the one line per reconcile of `process`. */
  readonly log?: Logger;
  /** @default Date.now */
  readonly now?: () => number;
  /**
   * How long a full discovery of a group is trusted while its cheap check passes: the
   * bound on repairing drift the check cannot see. Ignored when `discovery` is given.
   * @default 3600000 (1 hour)
   */
  readonly fullDiscoveryIntervalMs?: number;
  /** The steady-state discovery cache; @default one per reconciler */
  readonly discovery?: DiscoveryCache;
  /** The NodePort range the node security groups admit; @default 30000-32767 */
  readonly nodePortRange?: NodePortRange;
  /** Shared ACM certificate list for certificate discovery; @default one per reconciler */
  readonly certificates?: CertificateCache;
  /** TTL of the default certificate list. Ignored when `certificates` is given. @default 60000 */
  readonly certificateDiscoveryTtlMs?: number;
  /** Readiness gates: pods to register before their endpoint is ready (see Env). */
  readonly gatedAddresses?: () => ReadonlyMap<string, ReadonlySet<string>>;
}

/** A group's last built stack and the needs the cluster-level rules last served for it. */
interface GroupNeeds {
  readonly stack: Stack;
  /** Needs keys once the rules were brought in line with them; `null` = not yet. */
  readonly settled: ReadonlySet<string> | null;
}

/**
 * What a stack needs, as keys that ignore the targets themselves: a pod roll must not
 * cost a backend access run (a new pod in another security group waits for the resync).
 */
function needsKeys(stack: Stack): Set<string> {
  const types = new Map(stack.targetGroups.map((tg) => [tg.id, tg.targetType]));
  return new Set(
    stack.backendRules.map(
      (r) =>
        `${r.securityGroupId ?? types.get(r.targetGroupId) ?? '?'}/${String(r.fromPort)}-${String(r.toPort)}`,
    ),
  );
}

function sameKeys(a: ReadonlySet<string> | null, b: ReadonlySet<string>): boolean {
  return a !== null && a.size === b.size && [...a].every((k) => b.has(k));
}

/** What one reconcile did, beyond the count the queue needs. */
export interface ReconcileReport extends ReconcileResult {
  readonly group: string;
  readonly kind: WorkItem['kind'];
  /** `<op> <kind>` → count, of the AWS changes applied. */
  readonly byChange: Readonly<Record<string, number>>;
  /** Planned steps (0 in steady state). */
  readonly planned: number;
  readonly dnsName: string | null;
  /** Members frozen by an error problem. */
  readonly frozen: readonly string[];
  /** How the actual stack was read: in full, or verified from the last settled one. */
  readonly discovery: DiscoveryKind | 'none';
  /** Deletes AWS held (still in use): the group waits for them. */
  readonly held?: readonly AwsHold[];
}

export const EventReasons = {
  success: 'SuccessfullyReconciled',
  buildModel: 'FailedBuildModel',
  buildWarning: 'BuildModelWarning',
  deployModel: 'FailedDeployModel',
  addFinalizer: 'FailedAddFinalizer',
  removeFinalizer: 'FailedRemoveFinalizer',
  updateStatus: 'FailedUpdateStatus',
  backendAccess: 'BackendAccessWarning',
  quotaExceeded: 'QuotaExceeded',
  duplicateRemoved: 'DuplicateRemoved',
  waitingOnAws: 'WaitingOnAws',
} as const;

function emptyGroup(item: WorkItem): IngressGroup {
  return { key: item.groupKey, id: item.groupId, members: [], inactiveMembers: [], problems: [] };
}

/** `namespace/name:port` → `namespace/name` */
function serviceOfBackend(backend: string): string {
  const colon = backend.lastIndexOf(':');
  return colon < 0 ? backend : backend.slice(0, colon);
}

/** `alb.ingress.kubernetes.io/scheme "publik": scheme must be internal or internet-facing` */
export function problemMessage(p: Problem): string {
  return `${p.field} ${JSON.stringify(p.value)}: ${p.message}`;
}

/** The hostnames the members show in `status.loadBalancer`: which ALB clients resolve. */
function statusAddresses(group: IngressGroup): string[] {
  return [...group.members, ...group.inactiveMembers].flatMap((m) =>
    (m.ingress.status?.loadBalancer?.ingress ?? []).flatMap((i) =>
      i.hostname === undefined ? [] : [i.hostname.toLowerCase()],
    ),
  );
}

type DuplicateStep = Extract<PlannedChange, { step: 'delete-duplicate' }>;

function isDuplicateStep(step: PlannedChange): step is DuplicateStep {
  return step.step === 'delete-duplicate';
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class Reconciler {
  readonly #o: ReconcilerOptions;
  readonly #events: EventRecorder;
  readonly #subnets: SubnetCache;
  readonly #certificates: CertificateCache;
  readonly #now: () => number;
  readonly #discovery: DiscoveryCache;
  /** Target group ARNs by stack id, per group, from the last full reconcile that changed none. */
  readonly #targetGroupArns = new Map<string, ReadonlyMap<string, string>>();
  /** Each member's last reported outcome, so success is announced once, not every resync. */
  readonly #lastOutcome = new Map<string, string>();
  /** Groups whose last full reconcile left them a load balancer. */
  readonly #withLoadBalancer = new Set<string>();
  /** Every active group's needs, as of its last build: what the backend rules serve. */
  readonly #needs = new Map<string, GroupNeeds>();
  #targetSecurityGroups = new TargetGroupsOfTargets();
  /** Per group, the unadmitted targets last warned about (unadmittedTargets, as JSON). */
  readonly #unadmitted = new Map<string, string>();
  /** The last backend access run queued; runs go one after another. */
  #backendTail: Promise<unknown> = Promise.resolve();
  /** The run still waiting to start, per kind (authorize only, or revoke too). */
  readonly #backendWaiting = new Map<boolean, Promise<BackendAccessResult>>();
  /** Duplicates deleted since start, by kind: albatross_duplicates_repaired_total. */
  readonly #duplicatesRepaired = new Map<DuplicateKind, number>();
  /** Groups waiting for AWS to let go of a resource whose delete it held. */
  readonly #holds = new Map<string, HoldWait>();

  constructor(options: ReconcilerOptions) {
    this.#o = options;
    this.#events = options.events ?? new EventRecorder(options.core);
    this.#subnets =
      options.subnets ?? new SubnetCache({ clients: options.clients, vpcId: options.vpcId });
    this.#now = options.now ?? Date.now;
    this.#certificates =
      options.certificates ??
      new CertificateCache({
        clients: options.clients,
        now: this.#now,
        needIssuer: (options.translate.allowedCertificateAuthorityArns ?? []).length > 0,
        ...(options.certificateDiscoveryTtlMs !== undefined
          ? { ttlMs: options.certificateDiscoveryTtlMs }
          : {}),
      });
    this.#discovery =
      options.discovery ??
      new DiscoveryCache({
        now: this.#now,
        ...(options.fullDiscoveryIntervalMs !== undefined
          ? { fullDiscoveryIntervalMs: options.fullDiscoveryIntervalMs }
          : {}),
      });
  }

  #deploy(signal: AbortSignal): DeployContext {
    return {
      clusterName: this.#o.translate.clusterName,
      vpcId: this.#o.vpcId,
      clients: this.#o.clients,
      signal,
      secrets: this.#o.caches.oidcSecrets(),
    };
  }

  /** Reconcile, settle with handleResult, and log the one line of this reconcile. */
  async process(workKey: string, signal: AbortSignal): Promise<HandledResult> {
    const started = this.#now();
    let handled: HandledResult;
    let report: ReconcileReport | undefined;
    try {
      report = await this.reconcile(workKey, signal);
      handled = handleResult({ kind: 'returned', result: report });
    } catch (error) {
      handled = handleResult({ kind: 'threw', error, aborted: signal.aborted });
    }
    this.#o.log?.reconcileLine(
      parseWorkKey(workKey).groupId,
      handled.outcome,
      handled.changesApplied,
      this.#now() - started,
      {
        level: handled.logLevel,
        key: workKey,
        ...(report !== undefined
          ? {
              planned: report.planned,
              byChange: report.byChange,
              frozen: report.frozen,
              discovery: report.discovery,
              ...(report.waitingOn !== undefined ? { waitingOn: report.waitingOn } : {}),
            }
          : {}),
        ...(handled.error !== undefined ? { error: handled.error } : {}),
      },
    );
    return handled;
  }

  async reconcile(workKey: string, signal: AbortSignal): Promise<ReconcileReport> {
    const item = parseWorkKey(workKey);
    if (item.kind === 'targets') {
      const report = await this.#reconcileTargets(item, signal);
      if (report !== undefined) return report;
    }
    return this.#reconcileGroup({ ...item, kind: 'group' }, signal);
  }

  /** Every group the caches know of, as full work keys: what a periodic resync enqueues. */
  resyncKeys(): string[] {
    return this.#o.mapper.knownGroupIds().map(groupWorkKey);
  }

  /** Duplicates this reconciler deleted since it started, by kind (ActualStack.duplicates). */
  duplicatesRepaired(): ReadonlyMap<DuplicateKind, number> {
    return this.#duplicatesRepaired;
  }

  /** Load balancers this reconciler has seen to exist, as of each group's last full reconcile. */
  managedLoadBalancers(): number {
    return this.#withLoadBalancer.size;
  }

  /**
   * The stacks of this cluster that exist in AWS but whose group no longer exists in the
   * cluster (deleted while the controller was down, finalizer removed by hand), as group
   * work keys: each, reconciled as an empty group through the queue, is deleted (see
   * garbage-collection.ts). Only on synced caches (an unsynced cache would make every
   * group look deleted). With `--watch-namespace`, only implicit groups of that namespace
   * are ours to judge.
   */
  async orphanKeys(signal: AbortSignal): Promise<string[]> {
    if (!this.#o.caches.hasSynced()) return [];
    const inAws = await listStacks(this.#deploy(signal));
    const inCluster = new Set(this.#loadGroups().map((g) => g.id));
    const ns = this.#o.watchNamespace;
    return inAws
      .filter((id) => !inCluster.has(id) && (ns === undefined || id.startsWith(`${ns}/`)))
      .map(groupWorkKey);
  }

  /**
   * The periodic repair of the cluster-level backend rules (the `backend-access:` key):
   * targets' security groups read afresh, missing rules authorized, unneeded ones revoked
   * (when every group's needs are known). Only on synced caches.
   */
  async resyncBackendAccess(signal: AbortSignal): Promise<BackendAccessResult | null> {
    if (!this.#o.caches.hasSynced()) return null;
    this.#targetSecurityGroups = new TargetGroupsOfTargets();
    // Described afresh once per resync: a shared backend group deleted by hand is found
    // missing and created again, instead of being remembered for ever.
    forgetBackendSecurityGroup(this.#deploy(signal));
    return this.#backendAccess(signal, true);
  }

  /** Serialized; a request joins the run of its kind still waiting to start. */
  #backendAccess(signal: AbortSignal, revoke: boolean): Promise<BackendAccessResult> {
    const waiting = this.#backendWaiting.get(revoke);
    if (waiting !== undefined) return waiting;
    const run = this.#backendTail
      .catch(() => undefined)
      .then(() => {
        this.#backendWaiting.delete(revoke);
        return reconcileBackendAccess(this.#deploy(signal), {
          stacks: [...this.#needs.values()].map((n) => n.stack),
          nodePortRange: this.#o.nodePortRange ?? DEFAULT_NODE_PORT_RANGE,
          revoke: revoke && this.#needsComplete(),
          groups: this.#targetSecurityGroups,
        });
      });
    this.#backendWaiting.set(revoke, run);
    this.#backendTail = run;
    return run;
  }

  /** True when a rule no known group needs is needed by no group of this cluster at all. */
  #needsComplete(): boolean {
    if (this.#o.watchNamespace !== undefined || !this.#o.caches.hasSynced()) return false;
    for (const n of this.#needs.values()) if (n.stack.frozenMembers.length > 0) return false;
    return this.#loadGroups().every((g) => g.members.length === 0 || this.#needs.has(g.id));
  }

  #loadGroups(): IngressGroup[] {
    const { caches, translate } = this.#o;
    return groupIngresses(
      caches.ingressList(),
      caches.ingressClassMap(),
      translate,
      caches.classParamsInput?.(),
    );
  }

  /**
   * From the caches' group index, O(the group's Ingresses); a group the index does not
   * know (or caches without one) is grouped in full, so an empty group, whose plan
   * deletes the ALB, is only ever concluded by the full grouping.
   */
  #loadGroup(item: WorkItem): IngressGroup {
    const indexed = this.#o.caches.groupOf?.(item.groupId, this.#o.translate);
    if (indexed !== undefined) return indexed;
    return this.#loadGroups().find((g) => g.id === item.groupId) ?? emptyGroup(item);
  }

  #env(subnets: Env['subnets'], backendSecurityGroupId: string | undefined): Env {
    const { caches } = this.#o;
    return {
      services: caches.serviceMap(),
      endpointSlices: caches.endpointSlicesByService(),
      nodes: caches.nodeList(),
      ingressClasses: caches.ingressClassMap(),
      oidcClients: caches.oidcSecrets().clients(),
      subnets,
      ...(backendSecurityGroupId !== undefined ? { backendSecurityGroupId } : {}),
      ...(this.#o.gatedAddresses !== undefined ? { gatedAddresses: this.#o.gatedAddresses() } : {}),
    };
  }

  async #reconcileGroup(item: WorkItem, signal: AbortSignal): Promise<ReconcileReport> {
    const { networking, mapper, translate } = this.#o;
    const group = this.#loadGroup(item);
    const finalizer = finalizerFor(group.key);
    let kubeWrites = 0;

    // 1. Finalizers first: no cloud resource may exist for a member we could lose track of.
    const members = new Map<string, V1Ingress>();
    for (const member of group.members) {
      signal.throwIfAborted();
      try {
        const { change, ingress } = await addFinalizer(networking, member.ingress, finalizer);
        if (change === 'added') kubeWrites += 1;
        if (ingress !== undefined) members.set(member.key, ingress);
      } catch (err) {
        await this.#warn(
          member.ingress,
          EventReasons.addFinalizer,
          `adding finalizer ${finalizer}: ${errorMessage(err)}`,
        );
        throw err;
      }
    }

    // 2. The environment, read-only.
    const ctx = this.#deploy(signal);
    const active = group.members.length > 0;
    const [subnets, backendSg] = active
      ? await Promise.all([this.#subnets.get(signal), ensureBackendSecurityGroup(ctx)])
      : [undefined, undefined];

    // 3. Build, and tell each member what is wrong with it. The Secrets the group names
    // are watched first, each by name: the build sees them as they are.
    const secrets = oidcSecretsReferenced(group, { services: this.#o.caches.serviceMap() });
    mapper.recordSecretUse(group.id, secrets);
    await this.#o.caches.useSecrets(group.id, secrets);
    const env = this.#env(subnets, backendSg);
    let built = buildStack(group, env, translate);
    // ACM is read only for a group that discovers certificates, through the shared cache.
    if (active && needsCertificates(built.stack)) {
      const certificates = await this.#certificates.get(signal);
      built = buildStack(group, { ...env, certificates }, translate);
    }
    const { stack, problems } = built;
    this.#recordTargetUse(group.id, stack);
    await this.#reportProblems(group, problems);

    // Backend access first: the targets about to be registered must be reachable.
    const keys = needsKeys(stack);
    const before = this.#needs.get(group.id)?.settled ?? null;
    const needsChanged = !active || !sameKeys(before, keys);
    const needsShrank = !active || before === null || [...before].some((k) => !keys.has(k));
    if (active) this.#needs.set(group.id, { stack, settled: needsChanged ? null : before });
    else this.#needs.delete(group.id);
    // A target in a security group never seen (a node group's new group) gets its rule now,
    // before it is registered, not at the next backend-access resync.
    if (
      active &&
      (needsChanged || (await hasNewTargetGroups(ctx, stack, this.#targetSecurityGroups)))
    ) {
      await this.#backendAccess(signal, false);
    }

    if (active) await this.#warnUnadmitted(group, stack);

    // 4. Discover (or verify what the last quiet reconcile found), plan, apply.
    const fingerprint = stackFingerprint(stack);
    let discovered;
    try {
      discovered = await this.#discovery.discover(ctx, group.id, fingerprint, {
        ...namesOf(stack),
        addresses: statusAddresses(group),
      });
    } catch (err) {
      // A resource of ours by name but not by tags: the user must act; say so on the members.
      if (err instanceof DeployError) await this.#warnMembers(group, stack, errorMessage(err));
      throw err;
    }
    // Add-ons are read with a full discovery only; a verified one keeps what was read then.
    const found =
      discovered.kind === 'full'
        ? { ...discovered, actual: await withAddons(ctx, discovered.actual, stack.addons) }
        : discovered;
    const actual = found.actual;
    const multiCluster = await MultiClusterTargets.load(this.#o.core, stack);
    const plan = planChanges(stack, actual, multiCluster.owned(), translate.quotas);
    // Kept only when nothing is to change; before an apply, so a failure leaves no entry.
    let generation = 0;
    if (plan.length === 0 && active) this.#discovery.settle(group.id, fingerprint, found);
    else generation = this.#discovery.forget(group.id);
    let dnsName = actual?.loadBalancer?.dnsName.toLowerCase() ?? null;
    let applied = 0;
    let byChange: Readonly<Record<string, number>> = {};
    let held: readonly AwsHold[] = [];
    if (plan.length > 0) {
      const removed: DuplicateStep[] = [];
      try {
        await multiCluster.beforeApply(plan);
        const heldBefore = this.#holds.get(group.id)?.awsIds;
        const result = await applyPlan(ctx, plan, {
          desired: stack,
          actual,
          onApplied: (step) => {
            if (isDuplicateStep(step)) removed.push(step);
          },
          ...(heldBefore !== undefined ? { held: heldBefore } : {}),
        });
        await multiCluster.afterApply(plan);
        applied = result.applied;
        byChange = result.byChange;
        dnsName = result.dnsName;
        held = result.held;
        // What the apply left is known; kept only if it is exactly what we want.
        if (
          active &&
          result.after !== null &&
          planChanges(stack, result.after, multiCluster.owned(), translate.quotas).length === 0
        ) {
          this.#discovery.settleApplied(group.id, fingerprint, result.after, found, generation);
        }
      } catch (err) {
        this.#targetGroupArns.delete(group.id);
        await this.#duplicatesRemoved(group, removed);
        const reason =
          err instanceof QuotaError ? EventReasons.quotaExceeded : EventReasons.deployModel;
        await this.#warnMembers(group, stack, errorMessage(err), reason);
        throw err;
      }
      await this.#duplicatesRemoved(group, removed);
    }
    this.#rememberTargetGroups(group.id, actual, plan);
    if (needsChanged) {
      // Now that the ALB no longer sends where the old needs pointed, their rules may go.
      if (needsShrank) await this.#backendAccess(signal, true);
      if (active) this.#needs.set(group.id, { stack, settled: keys });
    }
    // A group whose every member is frozen wants no load balancer, yet the planner keeps
    // the one holding them (a deleted IngressClass, missing params): its address stands.
    const keptLoadBalancer =
      actual?.loadBalancer != null &&
      !plan.some((s) => s.kind === 'LoadBalancer' && s.op === 'delete' && !isDuplicateStep(s));
    if (stack.loadBalancer === null && !keptLoadBalancer) dnsName = null;
    if (dnsName === null) this.#withLoadBalancer.delete(group.id);
    else this.#withLoadBalancer.add(group.id);

    // 5. Status on every active member, where it changed.
    let statusError: unknown;
    for (const member of group.members) {
      const ingress = members.get(member.key);
      if (ingress === undefined) continue;
      try {
        if (await writeIngressStatus(networking, ingress, dnsName)) kubeWrites += 1;
      } catch (err) {
        statusError ??= err;
        await this.#warn(
          ingress,
          EventReasons.updateStatus,
          `setting the address ${String(dnsName)}: ${errorMessage(err)}`,
        );
      }
    }

    // 6. Release the members that left, now that the cloud no longer serves them here;
    // not while AWS holds something of the group: it is not gone yet.
    const wait = this.#wait(group.id, held);
    for (const member of wait === null ? group.inactiveMembers : []) {
      try {
        const { change } = await removeFinalizer(networking, member.ingress, finalizer);
        if (change === 'removed') kubeWrites += 1;
        this.#lastOutcome.delete(member.key);
      } catch (err) {
        await this.#warn(
          member.ingress,
          EventReasons.removeFinalizer,
          `removing finalizer ${finalizer}: ${errorMessage(err)}`,
        );
        throw err;
      }
    }
    if (statusError !== undefined) {
      throw statusError instanceof Error ? statusError : new Error(errorMessage(statusError));
    }

    if (wait !== null)
      return this.#waiting(group, stack, held, wait, members, {
        changesApplied: applied + kubeWrites,
        byChange,
        planned: plan.length,
        dnsName,
        discovery: found.kind,
      });

    // 7. Success, announced once per change of outcome or when something was applied.
    const frozen = new Set(stack.frozenMembers);
    for (const member of group.members) {
      if (frozen.has(member.key)) continue;
      const outcome = `success ${String(dnsName)}`;
      if (applied === 0 && this.#lastOutcome.get(member.key) === outcome) continue;
      this.#lastOutcome.set(member.key, outcome);
      await this.#events.record(
        members.get(member.key) ?? member.ingress,
        'Normal',
        EventReasons.success,
        dnsName === null
          ? 'Successfully reconciled'
          : `Successfully reconciled; address ${dnsName}`,
      );
    }
    if (!active) {
      mapper.forgetGroup(group.id);
      this.#discovery.drop(group.id);
      this.#unadmitted.delete(group.id);
      this.#targetGroupArns.delete(group.id);
      this.#discovery.drop(group.id);
    }
    // Back when the full read falls due, not at the next resync: the drift bound.
    const fullDue = active ? this.#discovery.fullDueInMs(group.id) : 0;
    return {
      group: group.id,
      kind: 'group',
      ...(fullDue > 0 ? { requeueAfterMs: fullDue } : {}),
      changesApplied: applied + kubeWrites,
      byChange,
      planned: plan.length,
      dnsName,
      frozen: stack.frozenMembers,
      discovery: found.kind,
    };
  }

  /** The group's wait after this reconcile: `null` once AWS holds nothing of it. */
  #wait(groupId: string, held: readonly AwsHold[]): HoldWait | null {
    if (held.length === 0) {
      this.#holds.delete(groupId);
      return null;
    }
    const wait = nextHoldWait(this.#holds.get(groupId), held, this.#now());
    this.#holds.set(groupId, wait);
    return wait;
  }

  /**
   * A reconcile that applied what it could and waits for AWS to let go: every member,
   * leaving or not, hears what is held and when the next try is; nothing is released.
   */
  async #waiting(
    group: IngressGroup,
    stack: Stack,
    held: readonly AwsHold[],
    wait: HoldWait,
    updated: ReadonlyMap<string, V1Ingress>,
    report: Pick<
      ReconcileReport,
      'changesApplied' | 'byChange' | 'planned' | 'dnsName' | 'discovery'
    >,
  ): Promise<ReconcileReport> {
    const now = this.#now();
    const delayMs = holdDelayMs(wait, now);
    const event = holdEvent(held, wait, delayMs, now);
    const frozen = new Set(stack.frozenMembers);
    for (const member of [...group.members, ...group.inactiveMembers]) {
      if (frozen.has(member.key)) continue;
      this.#lastOutcome.delete(member.key);
      try {
        await this.#events.record(
          updated.get(member.key) ?? member.ingress,
          event.type,
          EventReasons.waitingOnAws,
          event.message,
        );
      } catch {
        // An Event that cannot be written must not stop the wait it reports.
      }
    }
    return {
      ...report,
      group: group.id,
      kind: 'group',
      requeueAfterMs: delayMs,
      waitingOn: event.message,
      frozen: stack.frozenMembers,
      held,
    };
  }

  /** `undefined` = cannot take the cheap path; do a full reconcile. */
  async #reconcileTargets(
    item: WorkItem,
    signal: AbortSignal,
  ): Promise<ReconcileReport | undefined> {
    const arns = this.#targetGroupArns.get(item.groupId);
    if (arns === undefined) return undefined;
    // A requeue for the full read may land on this key: it must not be served cheaply.
    if (this.#discovery.fullDueInMs(item.groupId) === 0) return undefined;
    const group = this.#loadGroup(item);
    if (group.members.length === 0) return undefined;
    // Subnets and the backend group do not affect targets; leaving them unknown costs no call.
    const { stack } = buildStack(group, this.#env(undefined, undefined), this.#o.translate);
    this.#recordTargetUse(group.id, stack);
    // New needs (a pod port changed) take the full path, which serves them first.
    const known = this.#needs.get(group.id);
    if (known === undefined || !sameKeys(known.settled, needsKeys(stack))) return undefined;
    this.#needs.set(group.id, { ...known, stack });
    // Authorize before register: a new Node or pod ENI may be in a group with no rule yet.
    if (await hasNewTargetGroups(this.#deploy(signal), stack, this.#targetSecurityGroups)) {
      await this.#backendAccess(signal, false);
    }
    await this.#warnUnadmitted(group, stack);
    const multiCluster = await MultiClusterTargets.load(this.#o.core, stack);
    const steps: TargetsStep[] = [];
    for (const tg of stack.targetGroups) {
      if (tg.targets === null) continue;
      const arn = arns.get(tg.id);
      if (arn === undefined) return undefined;
      let diff;
      try {
        diff = await planTargetSync(
          this.#deploy(signal),
          arn,
          tg.targets,
          multiCluster.owned().get(tg.id),
        );
      } catch (err) {
        if (err instanceof AwsError && err.code === 'TargetGroupNotFound') {
          this.#targetGroupArns.delete(group.id);
          this.#discovery.forget(group.id);
          return undefined;
        }
        throw err;
      }
      const { register, deregister } = diff;
      if (register.length === 0 && deregister.length === 0) continue;
      steps.push({
        op: 'update',
        kind: 'Targets',
        id: tg.id,
        step: 'targets',
        reason: `targets changed: +${String(register.length)} −${String(deregister.length)}`,
        targetGroupArn: arn,
        register,
        deregister,
      });
    }
    let applied = 0;
    let byChange: Readonly<Record<string, number>> = {};
    if (steps.length > 0) {
      // The settled stack's targets are about to be stale, whether this succeeds or not.
      this.#discovery.forget(group.id);
      await multiCluster.beforeApply(steps);
      const result = await applyPlan(this.#deploy(signal), steps, { desired: stack, actual: null });
      await multiCluster.afterApply(steps);
      applied = result.applied;
      byChange = result.byChange;
    }
    return {
      group: group.id,
      kind: 'targets',
      changesApplied: applied,
      byChange,
      planned: steps.length,
      dnsName: null,
      frozen: stack.frozenMembers,
      discovery: 'none',
    };
  }

  #recordTargetUse(groupId: string, stack: Stack): void {
    const ipServices = new Set<string>();
    let instance = false;
    for (const tg of stack.targetGroups) {
      if (tg.targetType === 'instance') instance = true;
      else ipServices.add(serviceOfBackend(tg.service));
    }
    this.#o.mapper.recordTargetUse(groupId, { instance, ipServices: [...ipServices].sort() });
  }

  /** Target group ARNs are known for sure only when the plan created, replaced and deleted none. */
  #rememberTargetGroups(groupId: string, actual: ActualStack | null, plan: Plan): void {
    const reshaped = plan.some((s) => s.kind === 'TargetGroup');
    if (actual === null || reshaped) {
      this.#targetGroupArns.delete(groupId);
      return;
    }
    this.#targetGroupArns.set(groupId, new Map(actual.targetGroups.map((tg) => [tg.id, tg.arn])));
  }

  async #reportProblems(group: IngressGroup, problems: readonly Problem[]): Promise<void> {
    const byKey = new Map<string, GroupMember>(group.members.map((m) => [m.key, m]));
    for (const p of problems) {
      const member = byKey.get(p.ingress);
      if (member === undefined) continue;
      const reason = p.severity === 'error' ? EventReasons.buildModel : EventReasons.buildWarning;
      if (p.severity === 'error') this.#lastOutcome.set(member.key, 'frozen');
      await this.#warn(member.ingress, reason, problemMessage(p));
    }
  }

  /**
   * Targets no backend rule admits (several security groups, none cluster-tagged): a
   * Warning on the Ingress of their target group, once per change of what is wrong.
   */
  async #warnUnadmitted(group: IngressGroup, stack: Stack): Promise<void> {
    const found = unadmittedTargets(
      this.#o.translate.clusterName,
      stack,
      this.#targetSecurityGroups,
    );
    const key = JSON.stringify(found);
    if ((this.#unadmitted.get(group.id) ?? '[]') === key) return;
    if (found.length === 0) this.#unadmitted.delete(group.id);
    else this.#unadmitted.set(group.id, key);
    const byKey = new Map(group.members.map((m) => [m.key, m]));
    for (const u of found) {
      const member = byKey.get(u.member);
      if (member !== undefined)
        await this.#warn(member.ingress, EventReasons.backendAccess, u.message);
    }
  }

  /**
   * Duplicates deleted (even by an apply that failed later): counted, and a Normal Event
   * on the members (those leaving when none is active) naming what was kept and removed.
   */
  async #duplicatesRemoved(group: IngressGroup, removed: readonly DuplicateStep[]): Promise<void> {
    const told = group.members.length > 0 ? group.members : group.inactiveMembers;
    for (const step of removed) {
      this.#duplicatesRepaired.set(step.kind, (this.#duplicatesRepaired.get(step.kind) ?? 0) + 1);
      const removedArn = step.kind === 'SecurityGroup' ? step.actual.groupId : step.actual.arn;
      const message = `removed ${step.kind} ${removedArn}: ${step.reason}`;
      for (const member of told) {
        try {
          await this.#events.record(
            member.ingress,
            'Normal',
            EventReasons.duplicateRemoved,
            message,
          );
        } catch {
          // The repair is done; an Event that cannot be written must not undo the reconcile.
        }
      }
    }
  }

  /** A deploy failure, on every member it concerns (frozen members keep their own problem). */
  async #warnMembers(
    group: IngressGroup,
    stack: Stack,
    message: string,
    reason: string = EventReasons.deployModel,
  ): Promise<void> {
    const frozen = new Set(stack.frozenMembers);
    // Members on their way out keep their finalizer after a failure: they hear why too
    // (a group's last Ingress is the only one to tell when its deletion is refused).
    for (const member of [...group.members, ...group.inactiveMembers]) {
      if (frozen.has(member.key)) continue;
      await this.#warn(member.ingress, reason, message);
    }
  }

  async #warn(ingress: V1Ingress, reason: string, message: string): Promise<void> {
    try {
      await this.#events.record(ingress, 'Warning', reason, message);
    } catch {
      // An Event that cannot be written must not hide the failure it reports.
    }
  }
}
