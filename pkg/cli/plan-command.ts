/**
 * `albatross plan`: manifests in, stacks and plan out. I/O at the edges only. The core
 * (translate and plan) is passed in: `defaultPlanCore` from `./core.ts` in the program.
 */
import { parsePlanArgs } from './args.ts';
import { PLAN_HELP } from './help.ts';
import { buildInventory } from './inventory.ts';
import type { CliIo, ExitCode } from './io.ts';
import type { PlanCore } from './plan-report.ts';
import { planInventory } from './plan-report.ts';
import { renderPlanJson } from './render-json.ts';
import { renderPlanText } from './render-text.ts';
import { readSources } from './sources.ts';

export async function runPlan(
  argv: readonly string[],
  io: CliIo,
  core: PlanCore,
): Promise<ExitCode> {
  const args = parsePlanArgs('plan', argv, io.stdoutIsTTY);
  if (args.kind === 'help') {
    io.stdout(PLAN_HELP);
    return 0;
  }
  if (args.kind === 'usage-error') {
    io.stderr(`${args.message}\n`);
    return 2;
  }
  const options = args.options;
  const sources = await readSources(options.files, io);
  if (!sources.ok) {
    io.stderr(`albatross plan: ${sources.error}\n`);
    return 2;
  }
  const inventory = buildInventory(sources.documents);
  const report = planInventory(
    { ...inventory, notes: [...sources.notes, ...inventory.notes] },
    options.translate,
    core,
    options.nodePortRange,
  );
  for (const note of report.notes) io.stderr(`note: ${note}\n`);
  io.stdout(options.output === 'json' ? renderPlanJson(report) : renderPlanText(report));
  return report.problems.some((p) => p.severity === 'error') ? 1 : 0;
}
