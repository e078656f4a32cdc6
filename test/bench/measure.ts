/**
 * Timing for benchmarks: warm up, then time repeated runs and report the median and p90
 * and the heap in use. Figures are printed, never asserted: wall time depends on the
 * machine.
 */
import { performance } from 'node:perf_hooks';

export interface Figures {
  readonly name: string;
  readonly runs: number;
  readonly medianMs: number;
  readonly p90Ms: number;
  readonly heapUsedMb: number;
}

export function measure(
  name: string,
  fn: () => unknown,
  options: { readonly warmup: number; readonly runs: number },
): Figures {
  let sink: unknown;
  for (let i = 0; i < options.warmup; i++) sink = fn();
  const times: number[] = [];
  for (let i = 0; i < options.runs; i++) {
    const start = performance.now();
    sink = fn();
    times.push(performance.now() - start);
  }
  // Keep the last result alive until the heap is read, so it is counted.
  const heapUsedMb = process.memoryUsage().heapUsed / 2 ** 20;
  if (sink === Symbol.for('never')) console.log('');
  times.sort((a, b) => a - b);
  return {
    name,
    runs: options.runs,
    medianMs: quantile(times, 0.5),
    p90Ms: quantile(times, 0.9),
    heapUsedMb,
  };
}

function quantile(sorted: readonly number[], q: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

export function formatFigures(figures: Figures, goal?: string): string {
  return (
    `${figures.name}: median ${figures.medianMs.toFixed(2)} ms, p90 ${figures.p90Ms.toFixed(2)} ms ` +
    `over ${figures.runs} runs; heap used ${figures.heapUsedMb.toFixed(1)} MiB` +
    (goal === undefined ? '' : ` (goal: ${goal})`)
  );
}
