/**
 * Throttled: BENCH_THROTTLED_INGRESSES (default 100) single Ingresses converge while the
 * emulator throttles at AWS's documented rates (test/env/moto_throttle.py, preset
 * "aws") and the controller runs with its default client-side limits (about 80 % of
 * AWS's buckets, docs/decisions/0015): the compiled controller as a process, as in
 * compare-run.ts. Prints the calls the emulator throttled (the goal: none, the limiter
 * keeps under AWS's buckets) and the time. CreateLoadBalancer's bucket (0.16/s after a
 * burst of 8) makes 100 new ALBs take about ten minutes, so the run is opt-in:
 * BENCH_THROTTLED=1.
 */
import { setThrottling, throttleState, type ThrottleState } from '../env/moto.ts';
import { compareRun } from './compare-run.ts';
import { build } from './memory-bench.ts';

export async function bench(): Promise<void> {
  if (process.env.BENCH_THROTTLED !== '1') {
    console.log(
      'throttled: skipped (about ten minutes for 100 new ALBs at AWS rates); BENCH_THROTTLED=1 runs it',
    );
    return;
  }
  const count = Number(process.env.BENCH_THROTTLED_INGRESSES ?? 100);
  if (!Number.isInteger(count) || count < 1) {
    throw new Error(
      `BENCH_THROTTLED_INGRESSES must be a whole number of 1 or more, not "${String(process.env.BENCH_THROTTLED_INGRESSES)}"`,
    );
  }
  await build();
  let state: ThrottleState | undefined;
  const r = await compareRun(
    { name: 'single', ingresses: count, grouped: false },
    {
      timeoutMs: 1_800_000,
      convergeOnly: true,
      beforeFleet: async (env) => {
        await setThrottling(env.state.awsEndpoint, { preset: 'aws' });
      },
      afterConverge: async (env) => {
        state = await throttleState(env.state.awsEndpoint);
      },
    },
  );
  const throttled = Object.values(state?.throttled ?? {}).reduce((a, b) => a + b, 0);
  const families = Object.entries(state?.throttled ?? {})
    .filter(([, n]) => n > 0)
    .map(([f, n]) => `${f} ${String(n)}`)
    .join(', ');
  const load = (l: readonly number[]): string => l.map((x) => x.toFixed(2)).join(' ');
  console.log(
    `throttled: ${String(count)} single Ingresses, the emulator throttling at AWS's rates, our default client-side limits, --workers 3 (load ${load(r.loadStart)} → ${load(r.loadEnd)})`,
  );
  console.log(
    `  every address after ${r.addressesSeconds.toFixed(1)} s, last AWS call ${r.lastCallSeconds.toFixed(1)} s; ${String(r.converge.calls)} calls (${String(r.converge.writes)} writes), ${String(throttled)} throttled by the emulator (goal 0)${families === '' ? '' : `: ${families}`}`,
  );
}
