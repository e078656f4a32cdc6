export { planChanges } from './plan-changes.ts';
export { renderChange, renderChanges, changeSummary } from './render.ts';
export { schedulePriorities, maxRulePriority } from './priority-steps.ts';
export type { PriorityGoal, PriorityStep } from './priority-steps.ts';
export { covers } from './equality.ts';
export type * from './plan-types.ts';
