/**
 * The controller as a user runs it, its AWS calls through the fault proxy failing 20 % of
 * the time in every way AWS fails (throttled, 5xx, reset, slow, and lost writes: done by
 * the emulator, the answer never delivered). 30 Ingresses — 10 alone, 20 in groups of 5,
 * two host paths each — converge; once the faults stop, the invariant audit is clean
 * within one resync: one ALB per group, no second listener, rule, target group or
 * security group, every status the ALB's DNS name. The same for deleting them all:
 * nothing left, no Ingress stuck with our finalizer. The figures go to the test's output.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { FaultProxy } from '../env/fault-proxy.ts';
import { useTestEnv, type TestEnv } from '../env/testenv.ts';
import { useControllers, type ControllerProcess } from './controller-process.ts';
import {
  createFleet,
  describeFaults,
  fleetAudit,
  fleetFaults,
  fleetMembers,
  untilAddressed,
  untilClean,
  reconcileOutcomes,
  untilGone,
  type FleetMember,
} from './fault-fleet.ts';
import { Cluster } from './world-view.ts';

const SYNC_PERIOD_S = 15;

/** The controller's last warning and error lines, for a failure's output. */
function lastErrors(controller: ControllerProcess): string {
  return controller.lines
    .filter((l) => l.level === 'error' || l.level === 'warn')
    .slice(-12)
    .map((l) => l.raw)
    .join('\n');
}
const FAULTS = fleetFaults(0.2);
/** The proxy's seed: another one (ALBATROSS_FAULT_SEED) draws other faults. */
const SEED = Number(process.env.ALBATROSS_FAULT_SEED ?? 10);

describe('converging and deleting 30 Ingresses while 20 % of AWS calls fail', () => {
  const testEnv = useTestEnv();
  const controllers = useControllers();
  let env: TestEnv;
  let proxy: FaultProxy;
  let cluster: Cluster;
  let members: FleetMember[];
  let controller: ControllerProcess;

  before(async () => {
    env = testEnv.env;
    await env.resetAws();
    proxy = await FaultProxy.start({ target: env.state.awsEndpoint, seed: SEED });
    const ns = await env.freshNamespace('faults');
    cluster = new Cluster(env, ns);
    members = fleetMembers(ns, { singles: 10, groups: 4, groupSize: 5 });
    controller = controllers.start(env, {
      name: 'faulty',
      awsEndpoint: proxy.endpoint,
      args: [
        '--watch-namespace',
        ns,
        '--leader-election=false',
        '--sync-period',
        `${String(SYNC_PERIOD_S)}s`,
        '--workers',
        '4',
      ],
    });
    // Under load the process takes a while to load its code: wait longer than listening().
    await controller.waitForLine('the listening line', (l) => l.msg === 'listening', {
      timeoutMs: 90_000,
    });
  });
  after(async () => {
    await proxy.stop();
  });

  it('converges under faults, and the audit is clean within one resync of the faults stopping', async (t: TestContext) => {
    const mark = proxy.calls().length;
    const logMark = controller.cursor();
    proxy.inject(FAULTS);
    const started = performance.now();
    await createFleet(cluster, members);
    const converged = await untilAddressed(cluster, members, started, 120_000).catch(
      (error: unknown) => {
        t.diagnostic(`controller's last errors:\n${lastErrors(controller)}`);
        t.diagnostic(reconcileOutcomes(controller, logMark));
        throw error;
      },
    );
    const faulted = proxy.summary(mark);
    proxy.clear();
    const quiet = performance.now();
    const { seconds, report } = await untilClean(
      env,
      fleetAudit(cluster.ns, members),
      quiet,
      (SYNC_PERIOD_S + 10) * 1000,
    );
    t.diagnostic(`converge: every Ingress addressed after ${converged.toFixed(1)} s`);
    t.diagnostic(`converge faults (seed ${String(SEED)}): ${describeFaults(faulted)}`);
    t.diagnostic(`converge: ${reconcileOutcomes(controller, logMark)}`);
    t.diagnostic(
      `audit after the faults stopped: ${report.problems.length === 0 ? 'clean' : 'NOT clean'} after ${seconds.toFixed(1)} s (sync period ${String(SYNC_PERIOD_S)} s); ${JSON.stringify(report.counted)}`,
    );
    assert.ok(faulted.byKind['lost-write'] > 0, 'some writes were lost');
    assert.deepEqual(report.problems, []);
    assert.equal(report.counted.groups, 14);
    assert.equal(report.counted.loadBalancers, 14);
  });

  it('deletes them all under faults: nothing left, no finalizer stuck', async (t: TestContext) => {
    const mark = proxy.calls().length;
    const logMark = controller.cursor();
    proxy.inject(FAULTS);
    const started = performance.now();
    await Promise.all(members.map((m) => cluster.deleteIngress(m.name)));
    const gone = await untilGone(cluster, started, 120_000).catch(() => undefined);
    const faulted = proxy.summary(mark);
    proxy.clear();
    const { seconds, report } = await untilClean(
      env,
      fleetAudit(cluster.ns, members),
      performance.now(),
      (SYNC_PERIOD_S + 10) * 1000,
    );
    t.diagnostic(
      `delete: ${gone === undefined ? 'Ingresses still there after 120 s' : `every Ingress gone after ${gone.toFixed(1)} s`}`,
    );
    t.diagnostic(`delete faults: ${describeFaults(faulted)}`);
    t.diagnostic(`delete: ${reconcileOutcomes(controller, logMark)}`);
    t.diagnostic(
      `audit after the faults stopped: ${report.problems.length === 0 ? 'clean' : 'NOT clean'} after ${seconds.toFixed(1)} s; ${JSON.stringify(report.counted)}`,
    );
    assert.deepEqual(report.problems, []);
    assert.equal(report.counted.ingresses, 0);
    assert.equal(report.counted.loadBalancers, 0);
    assert.equal(report.counted.targetGroups, 0);
  });
});
