/**
 * The command-line front: `albatross plan`, `albatross convert` and the dispatcher.
 * The real core for `plan` is `defaultPlanCore` in `./core.ts`, kept out of this surface
 * so the commands can be driven by any core.
 */
export type { ArgsResult, ConvertOptions, OutputFormat, PlanOptions, RuleOrder } from './args.ts';
export { DEFAULT_CLUSTER_NAME, parseConvertArgs, parsePlanArgs } from './args.ts';
export type { Command } from './dispatch.ts';
export { dispatch, notYetAvailable } from './dispatch.ts';
export type { CliIo, ExitCode } from './io.ts';
export { packageVersion, processIo } from './io.ts';
export type { Inventory } from './inventory.ts';
export { buildInventory } from './inventory.ts';
export type { ManifestDocument, ParseResult } from './manifests.ts';
export { parseManifests } from './manifests.ts';
export type { PlanCore, PlanReport, StackChange } from './plan-report.ts';
export { planInventory } from './plan-report.ts';
export { renderPlanJson } from './render-json.ts';
export { renderPlanText } from './render-text.ts';
export { runPlan } from './plan-command.ts';
export { convertDocuments, runConvert } from './convert-command.ts';
export { readSources } from './sources.ts';
