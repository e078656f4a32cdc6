/** The real pure core behind `albatross plan`: translate, then plan against nothing. */
import { planChanges } from '../plan/index.ts';
import { buildStack } from '../translate/index.ts';
import type { PlanCore } from './plan-report.ts';

export const defaultPlanCore: PlanCore = {
  buildStack,
  planChanges: (desired, actual) => planChanges(desired, actual),
};
