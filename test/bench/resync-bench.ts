/**
 * Resync: the converge benchmark's groups (FLEET, see converge-bench.ts), once converged, enqueued again as a
 * periodic resync does (every known group key) with nothing changed; 3 rounds. Prints
 * writes (goal 0) and reads per group (goal ≤ 3), and for comparison one round that
 * discovers every group in full (as after a restart, or once the full-discovery
 * interval has passed).
 */
import { Reconciler } from '../../controller/reconciler.ts';
import { GroupKeyMapper } from '../../pkg/k8s/index.ts';
import { defaultTranslateConfig } from '../../pkg/translate/index.ts';
import { TestEnv } from '../env/testenv.ts';
import {
  callsByOperation,
  formatCounts,
  median,
  startController,
  sum,
} from './bench-controller.ts';
import type { BenchController } from './bench-controller.ts';
import { FLEET, WORKERS } from './converge-bench.ts';
import { convergeFleet, fleetGroups } from './ingress-fleet.ts';

const ROUNDS = 3;

export async function bench(): Promise<void> {
  const env = await TestEnv.start({ detached: false });
  let ctrl: BenchController | undefined;
  try {
    const ns = await env.freshNamespace('resync');
    ctrl = await startController(env, { namespace: ns, workers: WORKERS });
    await convergeFleet(ctrl, ns, FLEET, 170_000);
    const groups = fleetGroups(ns, FLEET);

    console.log(
      `resync: ${String(FLEET)} converged groups, ${String(WORKERS)} workers, nothing changed`,
    );
    const readsPerGroup: number[] = [];
    const seconds: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      ctrl.aws.calls.reset();
      const before = ctrl.perReconcile.length;
      const started = performance.now();
      for (const key of ctrl.reconciler.resyncKeys()) ctrl.queue.add(key);
      await ctrl.waitIdle(120_000);
      seconds.push((performance.now() - started) / 1000);
      const ran = ctrl.perReconcile.slice(before);
      const { reads, writes } = callsByOperation(ctrl.aws);
      readsPerGroup.push(sum(reads) / groups.length);
      const verified = ran.filter((r) => r.report?.discovery === 'verified').length;
      const planned = ran.filter((r) => (r.report?.planned ?? 1) > 0).length;
      console.log(
        `  round ${String(round)}: ${String(ran.length)} reconciles (${String(verified)} verified, ${String(planned)} planned something), writes ${String(sum(writes))}, reads ${String(sum(reads))} = ${(sum(reads) / groups.length).toFixed(2)} per group (${formatCounts(reads)})`,
      );
    }
    console.log(
      `  median: ${median(readsPerGroup).toFixed(2)} reads per group (goal ≤ 3), ${median(seconds).toFixed(2)} s per round`,
    );

    // The same groups through a reconciler with a fresh cache and no trust in it: what
    // every resync cost before, and what a resync costs once a full read is due.
    const translate = { ...defaultTranslateConfig, clusterName: env.clusterName };
    const full = new Reconciler({
      caches: ctrl.caches,
      mapper: new GroupKeyMapper(ctrl.caches, translate),
      networking: ctrl.net,
      core: ctrl.core,
      clients: ctrl.aws,
      vpcId: env.world.vpcId,
      translate,
      watchNamespace: ns,
      fullDiscoveryIntervalMs: 0,
    });
    ctrl.aws.calls.reset();
    const signal = new AbortController().signal;
    for (const group of groups) await full.reconcile(group, signal);
    const { reads, writes } = callsByOperation(ctrl.aws);
    console.log(
      `  for comparison, full discovery of every group: writes ${String(sum(writes))}, ${(sum(reads) / groups.length).toFixed(2)} reads per group (${formatCounts(reads)})`,
    );
  } finally {
    await ctrl?.stop();
    await env.stop();
  }
}
