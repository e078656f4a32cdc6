/**
 * Converge: FLEET Ingresses (2 paths, 2 NodePort Services each, instance mode), each its
 * own group, created at once against kube-apiserver + moto, with the controller's work
 * queue and BENCH_WORKERS workers (default 4). Prints the seconds until every Ingress
 * has its address, and until the queue drained and a second reconcile of every group
 * planned nothing; the AWS calls by operation and per Ingress (goal ≤ 20 per new
 * Ingress, reads included; no DescribeTags over every ALB in the account).
 */
import {
  startController,
  callsByOperation,
  formatCounts,
  median,
  sum,
} from './bench-controller.ts';
import type { BenchController, ReconcileCalls } from './bench-controller.ts';
import { convergeFleet, fleetGroups } from './ingress-fleet.ts';
import { TestEnv } from '../env/testenv.ts';

/** The issue's fleet: 100 Ingresses (BENCH_INGRESSES changes it). */
export const FLEET = Number(process.env.BENCH_INGRESSES ?? 100);
export const WORKERS = Number(process.env.BENCH_WORKERS ?? 4);

/** A second reconcile of every group, one after another; returns the groups that planned. */
export async function secondPass(ctrl: BenchController, groups: readonly string[]) {
  const signal = new AbortController().signal;
  const planned: string[] = [];
  for (const group of groups) {
    const report = await ctrl.reconciler.reconcile(group, signal);
    if (report.planned > 0) planned.push(group);
  }
  return planned;
}

/** The n-th reconcile of each group (0 = the one that created it), as median call counts. */
function nthPass(reconciles: readonly ReconcileCalls[], n: number): string {
  const seen = new Map<string, number>();
  const picked: ReconcileCalls[] = [];
  for (const r of reconciles) {
    const i = seen.get(r.key) ?? 0;
    seen.set(r.key, i + 1);
    if (i === n) picked.push(r);
  }
  if (picked.length === 0) return 'none';
  const reads = median(picked.map((r) => sum(r.reads)));
  const writes = median(picked.map((r) => sum(r.writes)));
  const full = picked.filter((r) => r.report?.discovery === 'full').length;
  return `${String(picked.length)} groups, median ${String(reads + writes)} calls (${String(reads)} reads, ${String(writes)} writes), ${String(full)} with full discovery`;
}

export async function bench(): Promise<void> {
  const env = await TestEnv.start({ detached: false });
  let ctrl: BenchController | undefined;
  try {
    const ns = await env.freshNamespace('converge');
    ctrl = await startController(env, { namespace: ns, workers: WORKERS });
    const figures = await convergeFleet(ctrl, ns, FLEET, 170_000);
    const { reads, writes } = callsByOperation(ctrl.aws);
    const total = sum(reads) + sum(writes);

    ctrl.aws.calls.reset();
    const started = performance.now();
    const planned = await secondPass(ctrl, fleetGroups(ns, FLEET));
    const passSeconds = (performance.now() - started) / 1000;
    const pass = callsByOperation(ctrl.aws);

    console.log(
      `converge: ${String(FLEET)} Ingresses, ${String(WORKERS)} workers (controller work queue)`,
    );
    console.log(`  every Ingress has its address after ${figures.addressesSeconds.toFixed(1)} s`);
    console.log(
      `  queue drained after ${figures.idleSeconds.toFixed(1)} s (${String(figures.reconciles.length)} reconciles)`,
    );
    console.log(`    1st reconcile of a group (creates): ${nthPass(figures.reconciles, 0)}`);
    console.log(`    2nd (queued again by an event): ${nthPass(figures.reconciles, 1)}`);
    console.log(`    3rd and later: ${nthPass(figures.reconciles, 2)}`);
    console.log(
      `  a second reconcile of every group: ${planned.length === 0 ? 'plans nothing' : `PLANS in ${planned.join(', ')}`} (${passSeconds.toFixed(1)} s, ${formatCounts(pass.writes) || 'no writes'}, ${String(sum(pass.reads))} reads)`,
    );
    console.log(
      `  AWS calls until drained: ${String(total)} (${String(sum(reads))} reads, ${String(sum(writes))} writes)`,
    );
    console.log(`    reads:  ${formatCounts(reads)}`);
    console.log(`    writes: ${formatCounts(writes)}`);
    console.log(
      `  per new Ingress: ${(total / FLEET).toFixed(1)} calls (${(sum(reads) / FLEET).toFixed(1)} reads, ${(sum(writes) / FLEET).toFixed(1)} writes) (goal: ≤ 20)`,
    );
    console.log(
      `  DescribeTags: ${String(reads.DescribeTags ?? 0)} calls, each for one stack's own listeners and rules; DescribeLoadBalancers: only by ARN`,
    );
    if (ctrl.failures.length > 0) {
      console.log(
        `  failed reconciles (retried): ${String(ctrl.failures.length)}, first: ${ctrl.failures[0] ?? ''}`,
      );
    }
  } finally {
    await ctrl?.stop();
    await env.stop();
  }
}
