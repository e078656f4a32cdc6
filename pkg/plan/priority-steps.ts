/**
 * Orders the priority moves and rule creations of one listener so that no step ever
 * asks for a priority another rule holds. AWS's SetRulePriorities would accept a whole
 * permutation in one call, but not every implementation does (the moto emulator cannot
 * swap two rules in one call and rejects a rule's own current priority), and one call
 * per rule lets apply stop anywhere in a consistent state.
 *
 * The schedule is greedy: take the pending rule with the lowest target whose target is
 * free; when every target is taken (a cycle, or a rule about to be deleted sits there),
 * move the rule in the way to a temporary priority above everything in use. A swap of
 * two rules thus costs three moves, and no rule is ever deleted to make room.
 */

/** Where a rule should end up: an existing rule (`move`) or a new one (`create`). */
export interface PriorityGoal {
  readonly key: string;
  readonly target: number;
  readonly create: boolean;
}

export type PriorityStep =
  | { readonly type: 'create'; readonly key: string; readonly at: number }
  | {
      readonly type: 'move';
      readonly key: string;
      readonly from: number;
      readonly to: number;
      /** True when `to` is a temporary priority that makes room. */
      readonly temporary: boolean;
    };

/** ALB's highest rule priority. */
export const maxRulePriority = 50000;

/**
 * @param occupied every rule on the listener now, by priority (including rules that
 *   stay where they are, frozen rules and rules about to be deleted)
 * @param goals target priorities, pairwise distinct and not held by a rule that stays
 */
export function schedulePriorities(
  occupied: ReadonlyMap<number, string>,
  goals: readonly PriorityGoal[],
): readonly PriorityStep[] {
  const holder = new Map(occupied);
  const position = new Map<string, number>();
  for (const [priority, key] of occupied) position.set(key, priority);

  const pending = goals
    .filter((goal) => goal.create || position.get(goal.key) !== goal.target)
    .sort((a, b) => a.target - b.target);
  const targets = new Set(goals.map((goal) => goal.target));
  let spare = Math.max(0, ...occupied.keys(), ...targets) + 1;
  const steps: PriorityStep[] = [];

  const place = (key: string, to: number, temporary: boolean): void => {
    const from = position.get(key);
    if (from === undefined) {
      steps.push({ type: 'create', key, at: to });
    } else {
      holder.delete(from);
      steps.push({ type: 'move', key, from, to, temporary });
    }
    holder.set(to, key);
    position.set(key, to);
  };

  for (;;) {
    const first = pending[0];
    if (first === undefined) break;
    const ready = pending.findIndex((goal) => !holder.has(goal.target));
    if (ready >= 0) {
      const [goal] = pending.splice(ready, 1);
      if (goal !== undefined) place(goal.key, goal.target, false);
      continue;
    }
    const blocker = holder.get(first.target);
    if (blocker === undefined) break;
    while (holder.has(spare) || targets.has(spare)) spare += 1;
    place(blocker, spare, true);
  }
  return steps;
}
