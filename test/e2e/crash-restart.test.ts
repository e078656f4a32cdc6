/**
 * A controller killed (SIGKILL) in the middle of an apply leaves a half-built stack;
 * the next one must finish it from what the ownership tags say, with no duplicate and
 * nothing leaked. And a group deleted while no controller ran (its finalizer removed by
 * hand) is collected by the next controller's garbage collection.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { useTestEnv, type TestEnv } from '../env/testenv.ts';
import { useControllers, type ControllerProcess } from './controller-process.ts';
import { assertSteady } from './steady-state.ts';
import { awsView, Cluster, eventually, ingressManifest } from './world-view.ts';

const BACKENDS = 8;
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

describe('a controller killed mid-apply, then restarted', () => {
  const testEnv = useTestEnv();
  const controllers = useControllers();
  let env: TestEnv;
  let cluster: Cluster;
  let ns: string;
  let group: string;
  const args = (): string[] => [
    '--watch-namespace',
    ns,
    '--leader-election=false',
    '--sync-period',
    '10s',
    '--shutdown-grace-period',
    '5s',
  ];

  before(async () => {
    env = testEnv.env;
    await env.resetAws();
    ns = await env.freshNamespace('e2e');
    group = `${ns}/big`;
    cluster = new Cluster(env, ns);
    for (let i = 0; i < BACKENDS; i++) await cluster.service(`svc${String(i)}`);
  });

  it('converges after a SIGKILL in the middle of an apply: no duplicate, nothing leaked', async () => {
    // GIVEN a controller that starts building a stack of one ALB and many target groups
    const first = controllers.start(env, { name: 'first', args: args() });
    await first.listening();
    await cluster.createIngress(
      ingressManifest(
        'big',
        Array.from({ length: BACKENDS }, (_, i) => ({
          path: `/p${String(i)}`,
          service: `svc${String(i)}`,
        })),
      ),
    );
    // WHEN it is killed right after its first target group was created
    await eventually(
      'the first CreateTargetGroup',
      async () => ((await first.awsCalls()).CreateTargetGroup ?? 0) >= 1 || undefined,
      20_000,
    );
    await first.stop('SIGKILL');
    const atKill = await awsView(env);
    const rulesAtKill = atKill.lbs.reduce((n, l) => n + l.rules.length, 0);
    console.log(
      `killed with ${String(atKill.lbs.length)} ALB, ${String(atKill.tgs.length)} TGs, ${String(rulesAtKill)} rules in AWS`,
    );
    assert.ok(
      atKill.tgs.length < BACKENDS || rulesAtKill < BACKENDS,
      'the kill landed before the apply finished',
    );
    // AND a new controller starts (finding the VPC from the nodes this time)
    const second = controllers.start(env, { name: 'second', args: args(), omitVpcId: true });
    // THEN it converges: one ALB, one target group per backend, every rule, every target
    const address = await eventually('the address of big', () => cluster.address('big'), 30_000);
    const view = await eventually('the whole stack', async () => {
      const now = await awsView(env);
      const rules = now.lbs.reduce((n, l) => n + l.rules.length, 0);
      const targeted = now.tgs.every((t) => t.targets.length === env.world.nodes.length);
      return rules === BACKENDS && now.tgs.length === BACKENDS && targeted ? now : undefined;
    });
    assert.equal(view.lbs.length, 1, 'one ALB');
    assert.equal(view.lbs[0]?.dnsName, address);
    assert.equal(view.ourLbs().length, 1, 'the ALB is tagged ours');
    assert.equal(view.ourTgs().length, BACKENDS, 'every target group is tagged ours');
    assert.equal(new Set(view.tgs.map((t) => t.name)).size, BACKENDS, 'no duplicate name');
    await assertSteady(second, cluster, 'big', group);
    // The managed frontend group and the shared backend group, once each.
    assert.equal(view.ourSecurityGroups.length, 2, view.ourSecurityGroups.join());
    assert.equal((await second.stop('SIGTERM')).code, 0);
  });

  it('collects the stack of a group deleted while no controller ran', async () => {
    // GIVEN no controller runs, and the Ingress is deleted with its finalizer removed by hand
    await cluster.deleteIngress('big');
    await cluster.net.patchNamespacedIngress(
      { name: 'big', namespace: ns, body: { metadata: { finalizers: null } } },
      mergePatch,
    );
    await eventually('big gone', async () => ((await cluster.ingress('big')) ? undefined : true));
    assert.equal((await awsView(env)).ourLbs().length, 1, 'its ALB is still there');
    // WHEN a controller starts
    const third: ControllerProcess = controllers.start(env, { name: 'third', args: args() });
    // THEN its garbage collection deletes the orphaned stack
    await third.waitForLine(
      'the garbage collection',
      (l) => l.msg === 'queued the stacks of deleted groups',
    );
    const view = await eventually('nothing of ours left', async () => {
      const now = await awsView(env);
      const managed = now.ourSecurityGroups.filter((g) => !g.includes('backend'));
      return now.lbs.length === 0 && now.tgs.length === 0 && managed.length === 0 ? now : undefined;
    });
    assert.ok(view.ourSecurityGroups.length <= 1);
  });
});
