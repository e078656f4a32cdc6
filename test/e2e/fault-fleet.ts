/**
 * The fleet the fault test and the soak converge through the fault proxy, as the issue's
 * report had it: Ingresses alone and Ingresses in explicit groups, each with two host
 * paths to two NodePort Services of its own. `round` changes every Ingress's paths, so a
 * later round rewrites every rule.
 */
import type { V1Ingress } from '@kubernetes/client-node';
import { setTimeout as delay } from 'node:timers/promises';
import { audit, type AuditOptions, type AuditReport } from '../env/audit.ts';
import type { FaultRule, FaultSummary } from '../env/fault-proxy.ts';
import type { TestEnv } from '../env/testenv.ts';
import type { ControllerProcess } from './controller-process.ts';
import { ingressManifest, type Cluster } from './world-view.ts';

/**
 * 20 % of calls fail, every kind drawn evenly; the creates AWS answers idempotently
 * (and CreateRule, CreateSecurityGroup) lose their answer in all of their 20 %, so that
 * every run, whatever the order of its calls, meets several of its own lost creates.
 */
export function fleetFaults(rate: number): FaultRule[] {
  return [
    {
      rate,
      kinds: ['lost-write'],
      actions: [
        'CreateLoadBalancer',
        'CreateListener',
        'CreateTargetGroup',
        'CreateRule',
        'CreateSecurityGroup',
      ],
    },
    { rate, slowMs: 4000 },
  ];
}

export interface FleetSpec {
  /** Ingresses that are each their own group. */
  readonly singles: number;
  /** Explicit groups, and the Ingresses in each. */
  readonly groups: number;
  readonly groupSize: number;
}

export interface FleetMember {
  readonly name: string;
  /** The stack id: `ns/name` alone, the group's name in a group. */
  readonly stack: string;
  readonly group?: string;
}

export function fleetMembers(ns: string, spec: FleetSpec): FleetMember[] {
  const out: FleetMember[] = [];
  for (let i = 0; i < spec.singles; i++) {
    const name = `single-${String(i)}`;
    out.push({ name, stack: `${ns}/${name}` });
  }
  for (let g = 0; g < spec.groups; g++) {
    // Group names are cluster-wide: the namespace keeps two runs apart.
    const group = `${ns}-g${String(g)}`;
    for (let i = 0; i < spec.groupSize; i++) {
      out.push({ name: `g${String(g)}-m${String(i)}`, stack: group, group });
    }
  }
  return out;
}

export function fleetIngress(ns: string, member: FleetMember, round = 0): V1Ingress {
  const suffix = round === 0 ? '' : `-r${String(round)}`;
  return ingressManifest(
    member.name,
    ['a', 'b'].map((p) => ({
      host: `${member.name}.${ns}.example.com`,
      path: `/${p}${suffix}`,
      service: `${member.name}-${p}`,
    })),
    member.group !== undefined ? { 'alb.ingress.kubernetes.io/group.name': member.group } : {},
  );
}

/** Creates the Services, then the Ingresses, of every member. */
export async function createFleet(
  cluster: Cluster,
  members: readonly FleetMember[],
): Promise<void> {
  for (const m of members) {
    await cluster.service(`${m.name}-a`);
    await cluster.service(`${m.name}-b`);
  }
  await Promise.all(members.map((m) => cluster.createIngress(fleetIngress(cluster.ns, m))));
}

/** What the audit wants of the fleet (run by a controller watching `ns`): port 80 on every stack. */
export function fleetAudit(ns: string, members: readonly FleetMember[]): AuditOptions {
  return {
    namespaces: [ns],
    sharedBackendKept: true,
    listenerPorts: Object.fromEntries(members.map((m) => [m.stack, [80]])),
  };
}

/**
 * Seconds until every member's Ingress has an address (from `since`, a performance.now());
 * on time-out the error names the Ingresses without one and their last Warning Events.
 */
export async function untilAddressed(
  cluster: Cluster,
  members: readonly FleetMember[],
  since: number,
  timeoutMs: number,
): Promise<number> {
  let missing: string[] = [];
  try {
    return await until(
      'every Ingress to have an address',
      async () => {
        const list = await cluster.net.listNamespacedIngress({ namespace: cluster.ns });
        const addressed = new Set(
          list.items
            .filter((i) => (i.status?.loadBalancer?.ingress?.[0]?.hostname ?? '') !== '')
            .map((i) => i.metadata?.name ?? ''),
        );
        missing = members.filter((m) => !addressed.has(m.name)).map((m) => m.name);
        return missing.length === 0;
      },
      since,
      timeoutMs,
    );
  } catch (error) {
    const warnings = await Promise.all(
      missing
        .slice(0, 5)
        .map(async (n) => `${n}: ${(await cluster.warnings(n)).slice(-2).join(' | ')}`),
    );
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}: ${String(missing.length)} without one (${missing.join(', ')}); ${warnings.join('; ')}`,
      { cause: error },
    );
  }
}

/** Seconds until no Ingress is left in the namespace (from `since`). */
export async function untilGone(
  cluster: Cluster,
  since: number,
  timeoutMs: number,
): Promise<number> {
  return until(
    'every Ingress to be gone',
    async () =>
      (await cluster.net.listNamespacedIngress({ namespace: cluster.ns })).items.length === 0,
    since,
    timeoutMs,
  );
}

/** Audits until clean; the seconds it took (from `since`), and the last report. */
export async function untilClean(
  env: TestEnv,
  options: AuditOptions,
  since: number,
  timeoutMs: number,
): Promise<{ seconds: number; report: AuditReport }> {
  const deadline = since + timeoutMs;
  for (;;) {
    const report = await audit(env, options);
    const seconds = (performance.now() - since) / 1000;
    if (report.problems.length === 0 || performance.now() > deadline) return { seconds, report };
    await delay(1000);
  }
}

async function until(
  what: string,
  check: () => Promise<boolean>,
  since: number,
  timeoutMs: number,
): Promise<number> {
  const deadline = since + timeoutMs;
  for (;;) {
    if (await check()) return (performance.now() - since) / 1000;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(500);
  }
}

/** One line of figures: calls, faults by kind, lost writes by action. */
export function describeFaults(summary: FaultSummary): string {
  const kinds = Object.entries(summary.byKind)
    .map(([k, n]) => `${k} ${String(n)}`)
    .join(', ');
  const lost = Object.entries(summary.lostWrites)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([a, n]) => `${a} ${String(n)}`)
    .join(', ');
  return `${String(summary.calls)} calls, ${String(summary.faults)} faults (${kinds}); lost writes: ${lost || 'none'}`;
}

/**
 * The controller's reconciles from log line `since` on: how many succeeded, and the
 * failures by error (ids and numbers blanked so alike errors count together).
 */
export function reconcileOutcomes(controller: ControllerProcess, since = 0): string {
  const lines = controller.lines.slice(since).filter((l) => l.msg === 'reconciled');
  const ok = lines.filter((l) => l.outcome === 'success').length;
  const errors = new Map<string, number>();
  for (const l of lines) {
    if (l.outcome === 'success') continue;
    const key = errorText(l.error)
      .replace(/arn:aws:[^\s,"')]+/g, '<arn>')
      .replace(/\b(sg|vpc|i|subnet)-[0-9a-f]+/g, '<id>')
      .replace(/\d+/g, 'N')
      .slice(0, 160);
    errors.set(key, (errors.get(key) ?? 0) + 1);
  }
  const failed = [...errors].sort(([, a], [, b]) => b - a);
  return `${String(lines.length)} reconciles, ${String(ok)} succeeded${failed.map(([e, n]) => `\n  ${String(n)} × ${e}`).join('')}`;
}

function errorText(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const e = error as { name?: unknown; message?: unknown; cause?: unknown };
  const text = (v: unknown): string => (typeof v === 'string' ? v : '');
  const own = `${text(e.name)}: ${text(e.message)}`;
  return e.cause === undefined ? own : `${own} <- ${errorText(e.cause)}`;
}
