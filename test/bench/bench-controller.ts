/**
 * The controller's moving parts, wired in-process as the real plug wires them: the
 * caches feed the mapper, the mapper's keys go to the controller's WorkQueue, N workers
 * of the controller's WorkerPool reconcile them and settle each result with
 * handleResult. No leader election, no HTTP. AWS calls are counted by operation.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import type { CoreV1Api, NetworkingV1Api } from '@kubernetes/client-node';
import { DiscoveryV1Api } from '@kubernetes/client-node';
import { isMutating } from '../../pkg/aws/index.ts';
import type { AwsClients } from '../../pkg/aws/index.ts';
import type { ClusterCaches } from '../../pkg/k8s/index.ts';
import { handleResult } from '../../controller/handle-result.ts';
import type { HandledResult } from '../../controller/handle-result.ts';
import type { Reconciler } from '../../controller/reconciler.ts';
import type { ReconcileReport } from '../../controller/reconciler.ts';
import { WorkQueue } from '../../controller/work-queue.ts';
import { WorkerPool } from '../../controller/workers.ts';
import {
  startInProcessReconciler,
  type InProcessReconcilerOptions,
} from '../env/in-process-reconciler.ts';
import type { TestEnv } from '../env/testenv.ts';

/** One reconcile the workers ran, with the AWS calls made inside it. */
export interface ReconcileCalls {
  readonly key: string;
  /** `undefined` when the reconcile threw. */
  readonly report: ReconcileReport | undefined;
  readonly reads: Record<string, number>;
  readonly writes: Record<string, number>;
}

export interface BenchController {
  readonly aws: AwsClients;
  readonly caches: ClusterCaches;
  readonly reconciler: Reconciler;
  readonly queue: WorkQueue;
  readonly core: CoreV1Api;
  readonly net: NetworkingV1Api;
  readonly discovery: DiscoveryV1Api;
  /** Every report of a reconcile that returned, in order. */
  readonly reports: ReconcileReport[];
  /** Every reconcile the workers ran, in the order they finished. */
  readonly perReconcile: ReconcileCalls[];
  /** Every failed reconcile, as `key: message`. */
  readonly failures: string[];
  /** Resolves once no key is queued, in flight or waiting out a back-off. */
  waitIdle(timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

/** Reads and writes by operation, from the counter, since its last reset. */
export function callsByOperation(aws: AwsClients): {
  reads: Record<string, number>;
  writes: Record<string, number>;
} {
  const reads: Record<string, number> = {};
  const writes: Record<string, number> = {};
  for (const c of aws.calls.snapshot()) {
    const into = isMutating(c.operation) ? writes : reads;
    into[c.operation] = (into[c.operation] ?? 0) + c.count;
  }
  return { reads, writes };
}

export function sum(counts: Readonly<Record<string, number>>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

export function formatCounts(counts: Readonly<Record<string, number>>): string {
  return Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([op, n]) => `${op} ${String(n)}`)
    .join(', ');
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? Number.NaN)
    : ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2;
}

/** Runs `fn` over `items` with at most `limit` at once. */
export async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    for (;;) {
      const i = next++;
      const item = items[i];
      if (i >= items.length || item === undefined) return;
      await fn(item, i);
    }
  });
  await Promise.all(lanes);
}

export async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

export async function startController(
  env: TestEnv,
  options: {
    readonly namespace: string;
    readonly workers: number;
    /** The AWS clients' retry and rate-limit settings. @default the harness's */
    readonly aws?: InProcessReconcilerOptions['aws'];
  },
): Promise<BenchController> {
  const queue = new WorkQueue();
  const harness = await startInProcessReconciler(env, {
    namespace: options.namespace,
    ...(options.aws !== undefined ? { aws: options.aws } : {}),
    enqueue: (key) => {
      queue.add(key);
    },
  });
  const { aws, core, net, caches, reconciler } = harness;
  const discovery = env.kc.makeApiClient(DiscoveryV1Api);
  const reports: ReconcileReport[] = [];
  const failures: string[] = [];
  const perReconcile: ReconcileCalls[] = [];
  // Workers run concurrently: the async context tells each call's reconcile apart.
  const current = new AsyncLocalStorage<{
    reads: Record<string, number>;
    writes: Record<string, number>;
  }>();
  aws.calls.subscribe((c) => {
    const tally = current.getStore();
    if (tally === undefined) return;
    const into = isMutating(c.operation) ? tally.writes : tally.reads;
    into[c.operation] = (into[c.operation] ?? 0) + 1;
  });
  let backingOff = 0;
  const pool = new WorkerPool({
    queue,
    workers: options.workers,
    process: async (key, signal) => {
      let handled: HandledResult;
      const tally = { reads: {}, writes: {} };
      try {
        const report = await current.run(tally, () => reconciler.reconcile(key, signal));
        reports.push(report);
        perReconcile.push({ key, report, ...tally });
        handled = handleResult({ kind: 'returned', result: report });
      } catch (error) {
        perReconcile.push({ key, report: undefined, ...tally });
        failures.push(`${key}: ${error instanceof Error ? error.message : String(error)}`);
        handled = handleResult({ kind: 'threw', error, aborted: signal.aborted });
      }
      const { action } = handled;
      if (action.kind === 'forget') queue.forget(key);
      else if (action.kind === 'after') queue.addAfter(key, action.delayMs);
      else {
        // Back-offs are short here: the bench wants to see convergence, not patience.
        backingOff += 1;
        setTimeout(() => {
          backingOff -= 1;
          queue.add(key);
        }, 500);
      }
    },
  });
  pool.start();
  return {
    aws,
    caches,
    reconciler,
    queue,
    core,
    net,
    discovery,
    reports,
    perReconcile,
    failures,
    async waitIdle(timeoutMs) {
      // Idle must hold for a moment: our own writes come back as watch events.
      let quietSince = Date.now();
      await until(
        'the work queue to drain',
        () => {
          const busy = queue.length > 0 || queue.inFlight().size > 0 || backingOff > 0;
          if (busy) quietSince = Date.now();
          return Date.now() - quietSince > 300;
        },
        timeoutMs,
      );
    },
    async stop() {
      await pool.stop(10_000);
      await harness.stop();
    },
  };
}
