/**
 * The soak's throttle phase: 100 Ingresses (in groups of 5, so 20 ALBs) converge while
 * the emulator throttles at AWS's documented rates (the "aws" preset of
 * test/env/moto_throttle.py) and the controller runs with its default client-side
 * limits. Prints how many attempts were throttled and retried, the limiter's waits and
 * the converge time; the report is returned for the soak runner (test/soak/run.ts).
 *
 * Alone: `scripts/node test/soak/throttle.ts` (uses the running test environment when
 * ALBATROSS_TESTENV_STATE is set, else starts one). SOAK_THROTTLE_INGRESSES and
 * SOAK_THROTTLE_GROUP_SIZE change the fleet; SOAK_THROTTLE_RATE_LIMITS sets the
 * controller's limits as `--aws-api-rate-limits` would (`off`: AWS alone throttles, and
 * the SDK's retry and the work queue's back-off carry the converge); SOAK_THROTTLE_WORKERS
 * the controller's `--workers` (default 3: more workers press AWS's buckets harder).
 */
import { pathToFileURL } from 'node:url';
import { defaultRateLimits, parseRateLimits, type RateLimits } from '../../pkg/aws/index.ts';
import { readState, TestEnv } from '../env/testenv.ts';
import {
  convergeThrottled,
  formatThrottledReport,
  type ThrottledConvergeReport,
} from './throttled-converge.ts';

export type ThrottlePhaseReport = ThrottledConvergeReport;

function rateLimits(): RateLimits {
  const text = process.env.SOAK_THROTTLE_RATE_LIMITS;
  if (text === undefined || text === '') return defaultRateLimits;
  const parsed = parseRateLimits(text);
  if ('problem' in parsed) throw new Error(`SOAK_THROTTLE_RATE_LIMITS must be ${parsed.problem}`);
  return parsed;
}

export async function throttlePhase(env: TestEnv): Promise<ThrottlePhaseReport> {
  await env.resetAws();
  const report = await convergeThrottled(env, {
    ingresses: Number(process.env.SOAK_THROTTLE_INGRESSES ?? 100),
    groupSize: Number(process.env.SOAK_THROTTLE_GROUP_SIZE ?? 5),
    throttle: { preset: 'aws' },
    rateLimits: rateLimits(),
    workers: Number(process.env.SOAK_THROTTLE_WORKERS ?? 3),
    timeoutMs: 600_000,
  });
  console.log(formatThrottledReport(report));
  return report;
}

async function main(): Promise<void> {
  const stateFile = process.env.ALBATROSS_TESTENV_STATE;
  const env =
    stateFile !== undefined && stateFile !== ''
      ? TestEnv.connect(readState(stateFile))
      : await TestEnv.start({ detached: false });
  try {
    const report = await throttlePhase(env);
    const converged = report.secondPassPlanned.length === 0 && report.secondPassWrites === 0;
    if (!converged || report.worstAttemptsPerCall > 3) process.exitCode = 1;
  } finally {
    await env.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
