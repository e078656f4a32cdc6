/**
 * The soak's faults phase: the controller process, its AWS calls through the fault proxy
 * at SOAK_FAULT_RATE (default 20 %) of every kind, converges SOAK_INGRESSES (default 60:
 * a third alone, the rest in groups of 5, two host paths each); then SOAK_ROUNDS (default
 * 3) rounds each changing every Ingress's paths under faults; then deletes them all under
 * faults. After every step the faults stop and the invariant audit must come clean within
 * one resync; the figures of every step are printed, and the phase's totals returned.
 */
import { FaultProxy, FAULT_KINDS, type FaultSummary } from '../env/fault-proxy.ts';
import type { AuditReport } from '../env/audit.ts';
import type { TestEnv } from '../env/testenv.ts';
import { spawnController } from '../e2e/controller-process.ts';
import {
  createFleet,
  describeFaults,
  fleetAudit,
  fleetFaults,
  fleetIngress,
  fleetMembers,
  reconcileOutcomes,
  untilAddressed,
  untilClean,
  untilGone,
  type FleetMember,
} from '../e2e/fault-fleet.ts';
import { awsView, Cluster, ruleSummary } from '../e2e/world-view.ts';
import type { PhaseReport } from './report.ts';

const SYNC_PERIOD_S = 15;

export async function faultsPhase(env: TestEnv): Promise<PhaseReport> {
  const ingresses = Number(process.env.SOAK_INGRESSES ?? 60);
  const rounds = Number(process.env.SOAK_ROUNDS ?? 3);
  const rate = Number(process.env.SOAK_FAULT_RATE ?? 0.2);
  const seed = Number(process.env.SOAK_SEED ?? 1);
  const started = performance.now();
  await env.resetAws();
  const ns = await env.freshNamespace('soak-faults');
  const cluster = new Cluster(env, ns);
  const singles = Math.round(ingresses / 3);
  const groups = Math.max(1, Math.round((ingresses - singles) / 5));
  const members = fleetMembers(ns, { singles, groups, groupSize: 5 });
  const proxy = await FaultProxy.start({ target: env.state.awsEndpoint, seed });
  const controller = spawnController(env, {
    name: 'soak-faults',
    awsEndpoint: proxy.endpoint,
    args: [
      '--watch-namespace',
      ns,
      '--leader-election=false',
      '--sync-period',
      `${String(SYNC_PERIOD_S)}s`,
      '--workers',
      '4',
    ],
  });
  const totals: FaultSummary[] = [];
  const details: string[] = [
    `${String(members.length)} Ingresses (${String(singles)} alone, ${String(groups)} groups of 5), ${String(rate * 100)} % faults, seed ${String(seed)}, sync period ${String(SYNC_PERIOD_S)} s`,
  ];
  let convergeSeconds = 0;
  let auditSeconds = 0;
  let last: AuditReport | undefined;
  try {
    await controller.waitForLine('the listening line', (l) => l.msg === 'listening', {
      timeoutMs: 90_000,
    });
    const options = fleetAudit(ns, members);

    /** One step: faults on, `act`, wait for `converged`, faults off, audit until clean. */
    const step = async (
      name: string,
      act: () => Promise<void>,
      converged: (since: number) => Promise<number>,
    ): Promise<boolean> => {
      const mark = proxy.calls().length;
      const logMark = controller.cursor();
      proxy.inject(fleetFaults(rate));
      const since = performance.now();
      await act();
      const seconds = await converged(since);
      const faulted = proxy.summary(mark);
      totals.push(faulted);
      proxy.clear();
      // One resync pass reaches every group within the sync period; its reconciles (28
      // groups on 4 workers) and the audit's own reads take a while after it.
      const clean = await untilClean(
        env,
        options,
        performance.now(),
        (2 * SYNC_PERIOD_S + 10) * 1000,
      );
      last = clean.report;
      convergeSeconds = Math.max(convergeSeconds, seconds);
      auditSeconds = Math.max(auditSeconds, clean.seconds);
      const verdict =
        clean.report.problems.length === 0
          ? `clean after ${clean.seconds.toFixed(1)} s`
          : `NOT clean after ${clean.seconds.toFixed(1)} s: ${clean.report.problems.join('; ')}`;
      const line = `${name}: ${seconds.toFixed(1)} s; ${describeFaults(faulted)}; audit ${verdict}`;
      const outcomes = reconcileOutcomes(controller, logMark);
      details.push(line, `  ${outcomes}`);
      console.log(`  ${line}\n    ${outcomes.replaceAll('\n', '\n    ')}`);
      return clean.report.problems.length === 0;
    };

    let ok = await step(
      'create',
      () => createFleet(cluster, members),
      (since) => untilAddressed(cluster, members, since, 300_000),
    );
    for (let round = 1; ok && round <= rounds; round++) {
      ok = await step(
        `change ${String(round)}`,
        async () => {
          for (const m of members) await cluster.updateIngress(fleetIngress(ns, m, round));
        },
        (since) => untilRoundApplied(env, members, round, since, 300_000),
      );
    }
    if (ok) {
      await step(
        'delete',
        async () => {
          await Promise.all(members.map((m) => cluster.deleteIngress(m.name)));
        },
        (since) => untilGone(cluster, since, 300_000),
      );
    }
  } finally {
    await controller.stop('SIGTERM');
    await proxy.stop();
  }
  const faults = Object.fromEntries(
    FAULT_KINDS.map((k) => [k, totals.reduce((n, s) => n + s.byKind[k], 0)]),
  );
  const report = last;
  return {
    name: 'faults',
    seconds: (performance.now() - started) / 1000,
    faults,
    calls: totals.reduce((n, s) => n + s.calls, 0),
    lostWrites: faults['lost-write'] ?? 0,
    convergeSeconds,
    auditSeconds,
    audit: {
      clean: report?.problems.length === 0,
      problems: report?.problems ?? ['the phase ended before its first audit'],
    },
    details,
  };
}

/** Seconds until every rule in AWS has this round's paths, two per Ingress (from `since`). */
async function untilRoundApplied(
  env: TestEnv,
  members: readonly FleetMember[],
  round: number,
  since: number,
  timeoutMs: number,
): Promise<number> {
  const suffix = `-r${String(round)}`;
  for (;;) {
    const view = await awsView(env);
    const paths = view.lbs.flatMap((l) => l.rules.map((r) => ruleSummary(r).paths));
    const applied =
      paths.length === members.length * 2 &&
      paths.every((p) => p.length > 0 && p.every((v) => v.includes(suffix)));
    if (applied) return (performance.now() - since) / 1000;
    if (performance.now() - since > timeoutMs) {
      throw new Error(`round ${String(round)} not applied within ${String(timeoutMs / 1000)} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
