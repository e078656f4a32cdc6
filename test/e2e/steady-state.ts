/**
 * The invariant every e2e step ends on: once the world matches, the controller's next
 * reconcile of the group plans nothing and makes no mutating AWS call. The reconcile is
 * forced by an annotation nobody reads (a watch event, as a user's edit would make);
 * the AWS calls are read from the controller's own /metrics.
 */
import assert from 'node:assert/strict';
import {
  callsBetween,
  mutating,
  total,
  type CallCounts,
  type ControllerProcess,
  type LogLine,
} from './controller-process.ts';
import type { Cluster } from './world-view.ts';

export interface SteadyReport {
  readonly line: LogLine;
  /** AWS calls of the steady reconcile, by operation (reads only, by the assertion). */
  readonly calls: CallCounts;
  readonly reads: number;
}

/** Reconciles `group` through `ingress` until one pass plans and applies nothing. */
async function settle(ctl: ControllerProcess, cluster: Cluster, ingress: string, group: string) {
  for (let attempt = 0; attempt < 5; attempt++) {
    const since = ctl.cursor();
    await cluster.poke(ingress);
    const line = await ctl.waitForLine(
      `a reconcile of ${group}`,
      (l) => isFullReconcile(l, group),
      {
        since,
      },
    );
    if (line.outcome === 'success' && line.planned === 0 && line.changesApplied === 0) return;
  }
  assert.fail(`${group} did not settle after 5 reconciles\n${ctl.recentLog()}`);
}

export function isFullReconcile(line: LogLine, group: string): boolean {
  return line.msg === 'reconciled' && line.group === group && line.key === group;
}

/**
 * Asserts that `group` (reached through its member `ingress`) is in a steady state:
 * a forced reconcile succeeds, plans nothing, writes nothing to AWS.
 */
export async function assertSteady(
  ctl: ControllerProcess,
  cluster: Cluster,
  ingress: string,
  group: string,
): Promise<SteadyReport> {
  await settle(ctl, cluster, ingress, group);
  const before = await ctl.awsCalls();
  const since = ctl.cursor();
  await cluster.poke(ingress);
  const line = await ctl.waitForLine(
    `a steady reconcile of ${group}`,
    (l) => isFullReconcile(l, group),
    {
      since,
    },
  );
  const calls = callsBetween(before, await ctl.awsCalls());
  assert.equal(line.outcome, 'success', line.raw);
  assert.equal(line.planned, 0, `the steady reconcile planned changes: ${line.raw}`);
  assert.deepEqual(mutating(calls), {}, 'no mutating AWS call in steady state');
  return { line, calls, reads: total(calls) };
}
