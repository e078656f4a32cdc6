/**
 * Kills at random points of apply: a workload of Ingresses (singles and groups) cycles
 * through create → edit → delete while a controller runs behind a KillSwitch; each step
 * is armed to SIGKILL the controller at its Nth AWS write (N seeded-random in [1, the
 * writes that step made when it ran whole]), before the write or after AWS did it. Then
 * a new controller starts, and the run records how long the audit took to come clean
 * (bounded by one resync), whether the finalizers held while resources remained, and
 * whether a further reconcile of every group writes nothing.
 *
 * Used by the CI test (test/e2e/kill-restart.test.ts, a few kills) and the soak phase
 * (test/soak/kills.ts, twenty and more); neither depends on node:test here.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { releasedGroups, auditUntilClean, type AuditOptions } from '../env/audit.ts';
import type { TestEnv } from '../env/testenv.ts';
import type { ControllerLauncher, ControllerProcess, LogLine } from './controller-process.ts';
import { KillSwitch, type KillLanding, type KillTiming } from './kill-switch.ts';
import { isFullReconcile } from './steady-state.ts';
import { Cluster, ingressManifest, type PathSpec } from './world-view.ts';

const A = 'alb.ingress.kubernetes.io/';

export type Step = 'create' | 'edit' | 'delete';
const CYCLE: readonly Step[] = ['create', 'edit', 'delete'];

export interface KillWorkloadSize {
  /** Ingresses alone in their group. */
  readonly singles: number;
  /** Explicit groups (`group.name`), each of `members` Ingresses. */
  readonly groups: number;
  readonly members: number;
}

export interface KillRunOptions {
  /** Kills that must land; at most twice as many steps are tried. */
  readonly kills: number;
  readonly seed: number;
  readonly size: KillWorkloadSize;
  /** The controllers' --sync-period, in seconds: the audit must be clean within one. @default 30 */
  readonly syncSeconds?: number;
  /** Progress lines (the soak prints them; the CI test logs them). */
  readonly log?: (line: string) => void;
}

/** One kill and what followed it. */
export interface KillRecord {
  readonly kill: number;
  readonly step: Step;
  /** Where it landed; `null` when the step finished before its Nth write. */
  readonly landing: KillLanding | null;
  /** Seconds from the new controller's spawn until it listened (process start-up). */
  readonly startSeconds: number;
  /** Seconds from the new controller listening until converged and audit-clean. */
  readonly convergeSeconds: number;
  /** The audit's problems at the end of the wait (empty: clean). */
  readonly audit: readonly string[];
  /** Groups whose finalizers were all gone while AWS still held their resources, at the kill. */
  readonly releasedEarly: readonly string[];
  /** Why the steady-state check failed; `null` when every group planned and wrote nothing. */
  readonly steady: string | null;
}

export interface KillRun {
  readonly seed: number;
  readonly size: KillWorkloadSize;
  /** Writes each step made when run whole, without a kill. */
  readonly writesPerStep: Readonly<Record<Step, number>>;
  readonly records: readonly KillRecord[];
}

/** Small, seeded, good enough to pick kill points (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The Ingresses of the workload and the three steps that move it. */
export class KillWorkload {
  readonly cluster: Cluster;
  readonly ns: string;
  readonly size: KillWorkloadSize;
  static readonly SERVICES = 4;

  constructor(env: TestEnv, ns: string, size: KillWorkloadSize) {
    this.cluster = new Cluster(env, ns);
    this.ns = ns;
    this.size = size;
  }

  async services(): Promise<void> {
    for (let i = 0; i < KillWorkload.SERVICES; i++) await this.cluster.service(svc(i));
  }

  /** Group id → one of its members (for the steady-state poke), while the workload exists. */
  groups(): Map<string, string> {
    const out = new Map<string, string>();
    for (let s = 0; s < this.size.singles; s++)
      out.set(`${this.ns}/single-${String(s)}`, `single-${String(s)}`);
    for (let g = 0; g < this.size.groups; g++) out.set(this.groupName(g), member(g, 0));
    return out;
  }

  groupName(g: number): string {
    return `${this.ns}-kg${String(g)}`;
  }

  /** Every Ingress of the workload. */
  names(): string[] {
    const out: string[] = [];
    for (let s = 0; s < this.size.singles; s++) out.push(`single-${String(s)}`);
    for (let g = 0; g < this.size.groups; g++) {
      for (let m = 0; m < this.size.members; m++) out.push(member(g, m));
    }
    return out;
  }

  /** The Ingresses without an address yet (the audit looks only at those it finds ours). */
  async unaddressed(): Promise<string[]> {
    const out: string[] = [];
    for (const name of this.names()) {
      if ((await this.cluster.address(name)) === undefined) out.push(name);
    }
    return out;
  }

  auditOptions(present: boolean): AuditOptions {
    return {
      namespaces: [this.ns],
      listenerPorts: present
        ? Object.fromEntries([...this.groups().keys()].map((k) => [k, [80]]))
        : {},
      // The controllers watch one namespace: they keep what other namespaces might need.
      sharedBackendKept: true,
    };
  }

  async run(step: Step): Promise<void> {
    const { singles, groups, members } = this.size;
    for (let s = 0; s < singles; s++) {
      const name = `single-${String(s)}`;
      if (step === 'delete') await this.cluster.deleteIngress(name);
      else {
        // The edit replaces both target groups (protocol is set at creation only).
        const edited = step === 'edit' ? { [`${A}backend-protocol`]: 'HTTPS' } : {};
        const paths: PathSpec[] = [
          { path: `/s${String(s)}a`, service: svc(s) },
          { path: `/s${String(s)}b`, service: svc(s + 1) },
        ];
        const manifest = ingressManifest(name, paths, edited);
        if (step === 'create') await this.cluster.createIngress(manifest);
        else await this.cluster.updateIngress(manifest);
      }
    }
    for (let g = 0; g < groups; g++) {
      for (let m = 0; m < members; m++) {
        const name = member(g, m);
        if (step === 'delete') {
          await this.cluster.deleteIngress(name);
          continue;
        }
        // The edit reverses the members' order (every rule re-prioritised) and gives
        // each a third path to a service it did not use.
        const order = step === 'edit' ? members - m : m + 1;
        const paths: PathSpec[] = [
          { path: `/g${String(g)}m${String(m)}a`, service: svc(m) },
          { path: `/g${String(g)}m${String(m)}b`, service: svc(g + m + 1) },
          ...(step === 'edit'
            ? [{ path: `/g${String(g)}m${String(m)}c`, service: svc(m + 2) }]
            : []),
        ];
        const manifest = ingressManifest(name, paths, {
          [`${A}group.name`]: this.groupName(g),
          [`${A}group.order`]: String(order),
        });
        if (step === 'create') await this.cluster.createIngress(manifest);
        else await this.cluster.updateIngress(manifest);
      }
    }
  }
}

function svc(i: number): string {
  return `svc${String(i % KillWorkload.SERVICES)}`;
}

function member(g: number, m: number): string {
  return `grp-${String(g)}-${String(m)}`;
}

/**
 * Runs the workload through `options.kills` kills. The environment's AWS is expected to
 * hold nothing of ours at the start (a fresh env, or `resetAws()` first): the audit's
 * leak check reads the whole account.
 */
export async function runKills(
  env: TestEnv,
  launcher: ControllerLauncher,
  options: KillRunOptions,
): Promise<KillRun> {
  const log = options.log ?? (() => undefined);
  const syncSeconds = options.syncSeconds ?? 30;
  const random = seededRandom(options.seed);
  const ns = await env.freshNamespace('kills');
  const workload = new KillWorkload(env, ns, options.size);
  await workload.services();
  const killSwitch = await KillSwitch.start(env.state.awsEndpoint);
  let generation = 0;
  const start = (): ControllerProcess => {
    generation += 1;
    return launcher.start(env, {
      name: `kill-${String(generation)}`,
      awsEndpoint: killSwitch.endpoint,
      args: [
        '--watch-namespace',
        ns,
        '--leader-election=false',
        '--sync-period',
        `${String(syncSeconds)}s`,
        '--shutdown-grace-period',
        '5s',
      ],
    });
  };
  const records: KillRecord[] = [];
  try {
    let ctl = start();
    await startedUp(ctl);

    // Each step once, whole: its write count bounds the kill points, and the workload
    // is proven to converge and audit clean without a kill.
    const writesPerStep: Record<Step, number> = { create: 0, edit: 0, delete: 0 };
    for (const step of CYCLE) {
      const before = killSwitch.writes;
      await workload.run(step);
      const outcome = await settle(env, ctl, workload, step, syncSeconds * 1000 * 3, killSwitch);
      if (outcome.audit.length > 0 || outcome.steady !== null) {
        throw new Error(
          `the workload does not converge without a kill (${step}): ${[...outcome.audit, outcome.steady ?? ''].join('; ')}`,
        );
      }
      writesPerStep[step] = killSwitch.writes - before;
      log(`calibration: ${step} makes ${String(writesPerStep[step])} writes`);
    }

    // A step can finish before its Nth write (a later create finds the cluster's shared
    // backend group made already): such an attempt is recorded, and another one made.
    let kills = 0;
    for (let i = 0; kills < options.kills && i < options.kills * 2; i++) {
      const step = CYCLE[i % CYCLE.length] ?? 'create';
      const at = 1 + Math.floor(random() * writesPerStep[step]);
      const timing: KillTiming = random() < 0.5 ? 'before-write' : 'after-write';
      const landed = killSwitch.arm(ctl.pid, at, timing);
      await workload.run(step);
      const landing = await Promise.race([landed, idle(killSwitch, syncSeconds * 1000)]);
      let releasedEarly: readonly string[] = [];
      if (landing === null) {
        killSwitch.disarm();
        log(`kill ${String(i + 1)} (${step}): the step finished before write ${String(at)}`);
      } else {
        kills += 1;
        await ctl.exited;
        releasedEarly = await releasedGroups(env, [ns]);
        ctl = start();
      }
      const restarted = performance.now();
      await startedUp(ctl);
      const startSeconds = secondsSince(restarted);
      const listening = performance.now();
      const outcome = await settle(env, ctl, workload, step, syncSeconds * 1000, killSwitch);
      const record: KillRecord = {
        kill: i + 1,
        step,
        landing,
        startSeconds,
        convergeSeconds: outcome.seconds ?? secondsSince(listening),
        audit: outcome.audit,
        releasedEarly,
        steady: outcome.steady,
      };
      records.push(record);
      log(describeRecord(record));
      if (!isClean(record)) {
        // Late is recorded as unclean; the next step still starts from a settled world
        // (creating an Ingress still being deleted would fail), so wait some more.
        const late = await settle(env, ctl, workload, step, syncSeconds * 1000 * 4, killSwitch);
        log(
          `  kill ${String(i + 1)}: ${late.audit.length === 0 && late.steady === null ? `settled ${(late.seconds ?? 0).toFixed(1)} s later` : `still unsettled: ${late.audit.join('; ')}`}`,
        );
      }
    }
    await ctl.stop('SIGTERM');
    return { seed: options.seed, size: options.size, writesPerStep, records };
  } finally {
    await killSwitch.stop();
  }
}

/**
 * Waits (up to `timeoutMs` once the controller listens) until after `step` every
 * Ingress has its address, every group's reconcile plans nothing and the audit is clean;
 * then, when there are groups, checks that a further reconcile of each writes nothing.
 * The audit alone cannot say an edit is done (the old state was clean too), hence the
 * reconciles that plan nothing.
 */
async function settle(
  env: TestEnv,
  ctl: ControllerProcess,
  workload: KillWorkload,
  step: Step,
  timeoutMs: number,
  killSwitch: KillSwitch,
): Promise<{ audit: readonly string[]; steady: string | null; seconds: number | null }> {
  await startedUp(ctl);
  const started = performance.now();
  const present = step !== 'delete';
  const until = performance.now() + timeoutMs;
  const unsettled: string[] = [];
  if (present) {
    let missing = await workload.unaddressed();
    while (missing.length > 0 && performance.now() < until) {
      await delay(500);
      missing = await workload.unaddressed();
    }
    unsettled.push(...missing.map((m) => `no address on ${m}`));
    for (const [group, ingress] of workload.groups()) {
      const line = await quietReconcile(ctl, workload.cluster, ingress, group, until);
      if (line !== null) unsettled.push(`${group} still planning: ${line}`);
    }
  }
  const report = await auditUntilClean(
    env,
    workload.auditOptions(present),
    Math.max(0, until - performance.now()),
  );
  const audit = [...unsettled, ...report.problems];
  if (audit.length > 0 || !present) {
    return { audit, steady: null, seconds: audit.length === 0 ? secondsSince(started) : null };
  }
  const seconds = secondsSince(started);
  const before = new Map(killSwitch.writesByOperation);
  const planned: string[] = [];
  for (const [group, ingress] of workload.groups()) {
    const line = await reconcileOf(ctl, workload.cluster, ingress, group, 30_000);
    if (line.outcome !== 'success' || line.planned !== 0) planned.push(line.raw);
  }
  const wrote = [...killSwitch.writesByOperation]
    .map(([op, n]) => [op, n - (before.get(op) ?? 0)] as const)
    .filter(([, n]) => n > 0)
    .map(([op, n]) => `${op} ${String(n)}`);
  const steady =
    planned.length === 0 && wrote.length === 0
      ? null
      : `a further reconcile of every group wrote [${wrote.join(', ')}]${planned.length > 0 ? `, planned: ${planned.join(' | ')}` : ''}`;
  return { audit, steady, seconds };
}

/** Resolves null once no write went through the switch for `forMs`. */
async function idle(killSwitch: KillSwitch, forMs: number): Promise<null> {
  let seen = killSwitch.writes;
  let since = performance.now();
  while (performance.now() - since < forMs) {
    await delay(250);
    if (killSwitch.writes !== seen) {
      seen = killSwitch.writes;
      since = performance.now();
    }
  }
  return null;
}

function secondsSince(started: number): number {
  return (performance.now() - started) / 1000;
}

/** A reconcile of `group`, forced through its member `ingress` (an annotation nobody reads). */
async function reconcileOf(
  ctl: ControllerProcess,
  cluster: Cluster,
  ingress: string,
  group: string,
  timeoutMs: number,
): Promise<LogLine> {
  const since = ctl.cursor();
  const poked = Date.now();
  await cluster.poke(ingress);
  // Not one already running when poked: it may have read the cache before the last edit.
  const startedAfter = (l: LogLine): boolean =>
    typeof l.time === 'string' &&
    typeof l.durationMs === 'number' &&
    Date.parse(l.time) - l.durationMs >= poked;
  return ctl.waitForLine(
    `a reconcile of ${group}`,
    (l) => isFullReconcile(l, group) && startedAfter(l),
    { since, timeoutMs },
  );
}

/**
 * Reconciles `group` until one pass plans and applies nothing (null), or `until` passes
 * (the last pass's log line).
 */
async function quietReconcile(
  ctl: ControllerProcess,
  cluster: Cluster,
  ingress: string,
  group: string,
  until: number,
): Promise<string | null> {
  let last = 'no reconcile';
  while (performance.now() < until) {
    let line: LogLine;
    try {
      line = await reconcileOf(
        ctl,
        cluster,
        ingress,
        group,
        Math.max(1000, until - performance.now()),
      );
    } catch (err) {
      return err instanceof Error ? (err.message.split('\n')[0] ?? last) : last;
    }
    if (line.outcome === 'success' && line.planned === 0 && line.changesApplied === 0) return null;
    last = line.raw;
  }
  return last;
}

/** A loaded machine (CI, the soak beside other work) can take longer than `listening()` waits. */
async function startedUp(ctl: ControllerProcess): Promise<void> {
  await ctl.waitForLine('the listening line', (l) => l.msg === 'listening', { timeoutMs: 90_000 });
}

export function describeRecord(r: KillRecord): string {
  const where =
    r.landing === null
      ? 'no kill (the step finished first)'
      : `${r.landing.timing} ${r.landing.operation} (write ${String(r.landing.write)})`;
  const verdict =
    r.audit.length === 0 && r.releasedEarly.length === 0 && r.steady === null
      ? 'audit clean, steady'
      : [
          ...r.audit,
          ...r.releasedEarly.map((g) => `finalizers of ${g} released before its resources went`),
          ...(r.steady === null ? [] : [`not steady: ${r.steady}`]),
        ].join('; ');
  return `kill ${String(r.kill)} during ${r.step}: ${where}; started in ${r.startSeconds.toFixed(1)} s, converged ${r.convergeSeconds.toFixed(1)} s later; ${verdict}`;
}

/** A record is clean when the audit, the finalizer check and the steady check all passed. */
export function isClean(r: KillRecord): boolean {
  return r.audit.length === 0 && r.releasedEarly.length === 0 && r.steady === null;
}
