/**
 * `npm run soak` (not CI): starts a test environment of its own (kube-apiserver + etcd +
 * moto, as the benchmarks do), runs the reliability phases in order — each starts its
 * own controller process and returns a PhaseReport — then prints every phase's audit and
 * a summary table. Arguments pick phases by name (`npm run soak -- faults`). Exits 1 when
 * an audit is not clean or a phase failed.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TestEnv } from '../env/testenv.ts';
import { summaryTable, type PhaseReport } from './report.ts';

type Phase = (env: TestEnv) => Promise<PhaseReport>;

/**
 * The phases, in order: the module beside this file and the function it exports. A
 * module not written yet is listed as missing and skipped. The SIGKILL phase
 * (kills.ts, `killPhase`) and the throttling phase (throttle.ts, `throttlePhase`) come
 * from their own branches; the lead wires and checks them here at merge.
 */
const PHASES: readonly { readonly name: string; readonly file: string; readonly fn: string }[] = [
  { name: 'faults', file: 'faults.ts', fn: 'faultsPhase' },
  { name: 'kills', file: 'kills.ts', fn: 'killPhase' },
  { name: 'throttle', file: 'throttle.ts', fn: 'throttlePhase' },
];

const filters = process.argv.slice(2);
const chosen = PHASES.filter((p) => filters.length === 0 || filters.includes(p.name));
const env = await TestEnv.start({ detached: false });
const reports: PhaseReport[] = [];
try {
  for (const phase of chosen) {
    const url = new URL(phase.file, import.meta.url);
    if (!existsSync(fileURLToPath(url))) {
      console.log(`\n# ${phase.name}: ${phase.file} not present yet; skipped`);
      continue;
    }
    const module = (await import(url.href)) as Record<string, unknown>;
    const run = module[phase.fn];
    if (typeof run !== 'function') {
      console.log(`\n# ${phase.name}: ${phase.file} exports no ${phase.fn}(); skipped`);
      continue;
    }
    console.log(`\n# ${phase.name}`);
    const started = performance.now();
    try {
      reports.push(await (run as Phase)(env));
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
