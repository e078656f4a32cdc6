/**
 * `npm run soak` (not CI): starts a test environment of its own (kube-apiserver + etcd +
 * moto, as the benchmarks do), runs the reliability phases in order — each starts its
 * own controller process and returns a PhaseReport — then prints every phase's audit and
 * a summary table. Arguments pick phases by name (`npm run soak -- faults`). Exits 1 when
 * an audit is not clean or a phase failed.
 */
import { TestEnv } from '../env/testenv.ts';
import { faultsPhase } from './faults.ts';
import { killPhase } from './kills.ts';
import { summaryTable, type PhaseReport } from './report.ts';
import { formatThrottledReport } from './throttled-converge.ts';
import { throttlePhase } from './throttle.ts';

type Phase = (env: TestEnv) => Promise<PhaseReport>;

/** The SIGKILL phase's report as a table row: its audit is every kill's audit. */
async function kills(env: TestEnv): Promise<PhaseReport> {
  const started = performance.now();
  const r = await killPhase(env);
  const problems = r.records.flatMap((k) => [
    ...k.audit.map((p) => `kill ${String(k.kill)}: ${p}`),
    ...k.releasedEarly.map(
      (g) => `kill ${String(k.kill)}: ${g} released before its resources went`,
    ),
    ...(k.steady === null ? [] : [`kill ${String(k.kill)}: not steady: ${k.steady}`]),
  ]);
  return {
    name: 'kills',
    seconds: (performance.now() - started) / 1000,
    kills: r.kills,
    convergeSeconds: r.convergeSeconds.max,
    audit: { clean: r.clean && problems.length === 0, problems },
    details: r.lines,
  };
}

/** The throttling phase's report as a table row: clean when it converged and stayed bounded. */
async function throttle(env: TestEnv): Promise<PhaseReport> {
  const started = performance.now();
  const r = await throttlePhase(env);
  const problems = [
    ...r.secondPassPlanned.map((g) => `group ${g} still planned changes after converging`),
    ...(r.secondPassWrites > 0 ? [`${String(r.secondPassWrites)} writes in the second pass`] : []),
    ...(r.worstAttemptsPerCall > 3
      ? [`${String(r.worstAttemptsPerCall)} attempts per call: retries multiplied`]
      : []),
  ];
  return {
    name: 'throttle',
    seconds: (performance.now() - started) / 1000,
    faults: { throttle: r.metrics.throttled },
    calls: r.metrics.attempts,
    convergeSeconds: r.addressesSeconds,
    audit: { clean: problems.length === 0, problems },
    details: formatThrottledReport(r).split('\n'),
  };
}

/** The phases, in order. */
const PHASES: readonly { readonly name: string; readonly run: Phase }[] = [
  { name: 'faults', run: faultsPhase },
  { name: 'kills', run: kills },
  { name: 'throttle', run: throttle },
];

const filters = process.argv.slice(2);
const chosen = PHASES.filter((p) => filters.length === 0 || filters.includes(p.name));
const env = await TestEnv.start({ detached: false });
const reports: PhaseReport[] = [];
try {
  for (const phase of chosen) {
    console.log(`\n# ${phase.name}`);
    const started = performance.now();
    try {
      reports.push(await phase.run(env));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      console.log(`  failed: ${message}`);
      reports.push({
        name: phase.name,
        seconds: (performance.now() - started) / 1000,
        audit: { clean: false, problems: [`the phase failed: ${message}`] },
      });
    }
  }
} finally {
  await env.stop();
}

console.log('\n# audits');
for (const r of reports) {
  console.log(`${r.name}: ${r.audit.clean ? 'clean' : 'NOT clean'}`);
  for (const p of r.audit.problems) console.log(`  - ${p}`);
  for (const d of r.details ?? []) console.log(`  ${d}`);
}
console.log(`\n# summary\n${summaryTable(reports)}`);
process.exitCode = reports.every((r) => r.audit.clean) ? 0 : 1;
