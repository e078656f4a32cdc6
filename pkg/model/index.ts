export type * from './elbv2-shapes.ts';
export { ActionTypes, ConditionFields } from './elbv2-shapes.ts';
export type * from './stack.ts';
export type * from './problem.ts';
export type * from './change.ts';
export type * from './actual.ts';
export type * from './backend-access.ts';
export type * from './addons.ts';
export { ResourceKinds } from './change.ts';
