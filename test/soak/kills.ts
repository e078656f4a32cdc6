/**
 * The soak's kill phase: twenty and more SIGKILLs of the controller at seeded random
 * points of apply (see test/e2e/kills.ts), over a bigger workload than CI's (four
 * singles, two groups of four, two or three paths each), each restart followed by the
 * audit within one resync, the finalizer check and the steady-state check.
 *
 * `killPhase(env)` is what the soak runner (test/soak/run.ts) calls; run alone,
 * `scripts/node test/soak/kills.ts [kills] [seed]` starts its own test environment (or
 * uses the one ALBATROSS_TESTENV_STATE names), prints the report and exits 1 when a
 * kill left anything unclean.
 */
import { controllerLauncher } from '../e2e/controller-process.ts';
import { describeRecord, isClean, runKills, type KillRecord, type Step } from '../e2e/kills.ts';
import { readState, TestEnv } from '../env/testenv.ts';

export interface KillPhaseOptions {
  /** @default 21 (seven of each of create, edit and delete) */
  readonly kills?: number;
  /** @default 2026 */
  readonly seed?: number;
  /** Progress lines. @default console.log */
  readonly log?: (line: string) => void;
}

export interface KillPhaseReport {
  readonly phase: 'kills';
  readonly seed: number;
  /** Kills that landed (a step can finish before its chosen write: no kill then). */
  readonly kills: number;
  readonly attempted: number;
  /** Per kill: the step, where it landed, the convergence time, the audit's problems. */
  readonly records: readonly KillRecord[];
  /** Kills by the operation they landed on (`before-write CreateRule`). */
  readonly landedOn: Readonly<Record<string, number>>;
  readonly convergeSeconds: { readonly median: number; readonly max: number };
  /** Every record clean: audit, finalizers, steady state. */
  readonly clean: boolean;
  /** One line per kill and a summary, for a report file or the console. */
  readonly lines: readonly string[];
}

/**
 * Runs the kill phase against `env`. It resets the emulator first (the audit reads the
 * whole account) and leaves its namespace's Ingresses deleted or converged.
 */
export async function killPhase(
  env: TestEnv,
  options: KillPhaseOptions = {},
): Promise<KillPhaseReport> {
  const kills = options.kills ?? 21;
  const seed = options.seed ?? 2026;
  const log =
    options.log ??
    ((line: string) => {
      console.log(line);
    });
  await env.resetAws();
  const launcher = controllerLauncher();
  try {
    const run = await runKills(env, launcher, {
      kills,
      seed,
      size: { singles: 4, groups: 2, members: 4 },
      log,
    });
    const landed = run.records.filter((r) => r.landing !== null);
    const landedOn: Record<string, number> = {};
    for (const r of landed) {
      const key = `${r.landing?.timing ?? ''} ${r.landing?.operation ?? ''}`;
      landedOn[key] = (landedOn[key] ?? 0) + 1;
    }
    const seconds = run.records.map((r) => r.convergeSeconds).sort((a, b) => a - b);
    const clean = run.records.every(isClean);
    const byStep = (step: Step): number => landed.filter((r) => r.step === step).length;
    const median = seconds[Math.floor(seconds.length / 2)] ?? 0;
    const max = seconds[seconds.length - 1] ?? 0;
    const lines = [
      ...run.records.map(describeRecord),
      `kills: ${String(landed.length)} landed of ${String(run.records.length)} (create ${String(byStep('create'))}, edit ${String(byStep('edit'))}, delete ${String(byStep('delete'))}); writes per step when whole: create ${String(run.writesPerStep.create)}, edit ${String(run.writesPerStep.edit)}, delete ${String(run.writesPerStep.delete)}`,
      `converged after a restart: median ${median.toFixed(1)} s, max ${max.toFixed(1)} s (from the new controller listening)`,
      `audit: ${clean ? 'clean after every kill' : `UNCLEAN after ${String(run.records.filter((r) => !isClean(r)).length)} kills`}`,
    ];
    return {
      phase: 'kills',
      seed,
      kills: landed.length,
      attempted: run.records.length,
      records: run.records,
      landedOn,
      convergeSeconds: { median, max },
      clean,
      lines,
    };
  } finally {
    await launcher.stopAll();
  }
}

async function main(): Promise<void> {
  const [kills, seed] = process.argv.slice(2).map(Number);
  const stateFile = process.env.ALBATROSS_TESTENV_STATE;
  const env =
    stateFile !== undefined && stateFile !== ''
      ? TestEnv.connect(readState(stateFile))
      : await TestEnv.start({ detached: false });
  let report: KillPhaseReport;
  try {
    report = await killPhase(env, {
      ...(kills !== undefined && !Number.isNaN(kills) ? { kills } : {}),
      ...(seed !== undefined && !Number.isNaN(seed) ? { seed } : {}),
    });
  } finally {
    await env.stop();
  }
  console.log(`\n# kill phase (seed ${String(report.seed)})`);
  for (const line of report.lines.slice(-3)) console.log(line);
  console.log(`landed on: ${JSON.stringify(report.landedOn)}`);
  process.exitCode = report.clean ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) await main();
