/**
 * A priority table of one listener's rules, run step by step the way the emulator runs a
 * plan: the rule tests check plans against it.
 */
import assert from 'node:assert/strict';
import type { ActualStack } from '../../../pkg/model/index.ts';
import type { Plan } from '../../../pkg/plan/index.ts';

/**
 * Runs the plan's rule steps one by one on a priority table, as an API that accepts one
 * rule per call (moto) would, and fails on any collision. An update renames the rule it
 * changes (its tag now carries the desired id). Returns the final table: priority → rule
 * id.
 */
export function simulate(actual: ActualStack, plan: Plan): ReadonlyMap<number, string> {
  const table = new Map<number, string>();
  const idOf = new Map<string, string>();
  for (const r of actual.rules) {
    table.set(r.priority, r.arn);
    idOf.set(r.arn, r.id);
  }
  for (const change of plan) {
    if (change.kind !== 'ListenerRule') continue;
    if (change.step === 'create') {
      const at = change.desired.priority;
      assert.equal(
        table.has(at),
        false,
        `create ${change.id} at ${at}: taken by ${table.get(at) ?? ''}`,
      );
      table.set(at, `new:${change.id}`);
      idOf.set(`new:${change.id}`, change.id);
    } else if (change.step === 'update') {
      assert.ok(idOf.has(change.actual.arn), `update ${change.id}: not found`);
      idOf.set(change.actual.arn, change.desired.id);
    } else if (change.step === 'set-priority') {
      assert.notEqual(change.from, change.to, `${change.id}: moved to its own priority`);
      assert.equal(
        table.get(change.from),
        change.actual.arn,
        `${change.id}: not at ${change.from}`,
      );
      assert.equal(table.has(change.to), false, `move ${change.id} to ${change.to}: taken`);
      table.delete(change.from);
      table.set(change.to, change.actual.arn);
    } else if (change.step === 'delete') {
      const entry = [...table].find(([, arn]) => arn === change.actual.arn);
      assert.ok(entry !== undefined, `delete ${change.id}: not found`);
      table.delete(entry[0]);
    }
  }
  return new Map([...table].map(([priority, arn]) => [priority, idOf.get(arn) ?? arn]));
}
