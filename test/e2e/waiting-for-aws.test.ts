/**
 * AWS holding a security group for minutes after its ALB is gone (the ALB's network
 * interfaces linger; DeleteSecurityGroup answers DependencyViolation), with the controller
 * as a process: the emulator holds the frontend group for 130 s after its load balancer
 * was deleted (test/env/moto_consistency.py). The Ingress must keep its finalizer while
 * AWS holds the group, say what it waits for, not spin, and be released as soon as AWS
 * lets go (docs/decisions/0016-waiting-for-aws-to-let-go.md).
 */
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { before, describe, it } from 'node:test';
import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { setConsistency } from '../env/moto.ts';
import { useTestEnv, type TestEnv } from '../env/testenv.ts';
import { useControllers, type ControllerProcess } from './controller-process.ts';
import { awsView, Cluster, eventually, FINALIZER, ingressManifest } from './world-view.ts';

const HOLD_SECONDS = 130;

describe('deleting an Ingress while AWS holds its security group for minutes', () => {
  const testEnv = useTestEnv();
  const controllers = useControllers();
  let env: TestEnv;
  let cluster: Cluster;
  let ctl: ControllerProcess;
  let ns: string;

  before(async () => {
    env = testEnv.env;
    await env.resetAws();
    ns = await env.freshNamespace('hold');
    cluster = new Cluster(env, ns);
    await cluster.service('web');
    ctl = controllers.start(env, {
      name: 'hold',
      args: ['--watch-namespace', ns, '--leader-election=false'],
    });
    // A loaded CI machine may take longer than listening()'s 20 s to start a process.
    await ctl.waitForLine('listening', (l) => l.msg === 'listening', { timeoutMs: 90_000 });
  });

  async function deleteAttempts(): Promise<number> {
    return (await ctl.awsCalls()).DeleteSecurityGroup ?? 0;
  }

  async function groupExists(groupId: string): Promise<boolean> {
    const found = await env.aws.ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }),
    );
    return (found.SecurityGroups ?? []).length > 0;
  }

  async function waitingEvents(): Promise<{ type: string; message: string }[]> {
    const events = await cluster.core.listNamespacedEvent({
      namespace: ns,
      fieldSelector: 'involvedObject.name=web,reason=WaitingOnAws',
    });
    return events.items.map((e) => ({ type: e.type ?? '', message: e.message ?? '' }));
  }

  it('keeps the finalizer and says so while AWS holds the group, releases it when AWS lets go', async () => {
    // GIVEN an Ingress served by its ALB and its frontend security group
    await cluster.createIngress(ingressManifest('web', [{ path: '/', service: 'web' }]));
    const address = await eventually('the address of web', () => cluster.address('web'), 30_000);
    const lbs = await env.aws.elbv2.send(new DescribeLoadBalancersCommand({}));
    const lb = (lbs.LoadBalancers ?? []).find((l) => l.DNSName?.toLowerCase() === address);
    const described = await env.aws.ec2.send(
      new DescribeSecurityGroupsCommand({ GroupIds: [...(lb?.SecurityGroups ?? [])] }),
    );
    const frontend = (described.SecurityGroups ?? []).find(
      (g) => !(g.GroupName ?? '').includes('backend'),
    )?.GroupId;
    assert.ok(frontend !== undefined, 'the ALB has a frontend security group');
    // AND AWS will hold that group for 130 s after its ALB is deleted
    await setConsistency(env.state.awsEndpoint, { securityGroupLingerSeconds: HOLD_SECONDS });
    const attemptsBefore = await deleteAttempts();

    // WHEN the Ingress is deleted
    const deletedAt = Date.now();
    await cluster.deleteIngress('web');

    // THEN the ALB (and every other resource of the stack) is gone at once
    await eventually('the ALB gone', async () => {
      const view = await awsView(env);
      return view.ourLbs().length === 0 && view.ourTgs().length === 0 ? true : undefined;
    });
    // AND the Ingress says which group it waits for, in a Normal Event
    const event = await eventually('a WaitingOnAws Event', async () => {
      const found = await waitingEvents();
      return found.find((e) => e.message.includes(frontend));
    });
    assert.equal(event.type, 'Normal');
    assert.match(event.message, /still in use by AWS \(DependencyViolation\); retrying in \d+s/);
    // AND near the end of the hold the finalizer is still there, and so is the group
    await delay(Math.max(0, deletedAt + (HOLD_SECONDS - 10) * 1000 - Date.now()));
    const held = await cluster.ingress('web');
    assert.ok(held?.metadata?.finalizers?.includes(FINALIZER), 'finalizer kept while held');
    assert.ok(await groupExists(frontend), 'the group is still there while AWS holds it');

    // THEN within 20 s after AWS lets go, the group is deleted and the Ingress is gone
    await eventually(
      'the Ingress released',
      async () => ((await cluster.ingress('web')) === undefined ? true : undefined),
      (HOLD_SECONDS + 25) * 1000 - (Date.now() - deletedAt),
    );
    const releasedAfterS = (Date.now() - deletedAt) / 1000;
    assert.ok(releasedAfterS <= HOLD_SECONDS + 22, `released after ${String(releasedAfterS)} s`);
    assert.equal(await groupExists(frontend), false, 'the frontend group is deleted');
    // AND the wait was paced, not a tight loop
    const attempts = (await deleteAttempts()) - attemptsBefore;
    assert.ok(
      attempts <= 15,
      `${String(attempts)} DeleteSecurityGroup attempts in ${String(HOLD_SECONDS)} s`,
    );
    console.log(
      `held ${String(HOLD_SECONDS)} s: released after ${releasedAfterS.toFixed(1)} s, ` +
        `${String(attempts)} DeleteSecurityGroup attempts`,
    );
  });
});
