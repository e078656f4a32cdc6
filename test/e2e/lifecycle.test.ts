/**
 * `albatross controller` as a process, against the real API server and moto: one
 * controller serves one namespace through a user's whole story — create, edit in place,
 * reorder, share a group, a bad annotation, ip targets that scale, a target-type switch,
 * delete — while a foreign ALB and target group with look-alike names stay untouched.
 * Each step checks the emulator and the Ingress, then that a forced reconcile plans
 * nothing and makes no mutating AWS call (from the controller's own /metrics).
 *
 * The tests run in order and share the controller and the namespace: each starts from
 * the world the one before left.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeTagsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { allocatePodIps } from '../env/pod-ips.ts';
import { useTestEnv, type TestEnv } from '../env/testenv.ts';
import {
  callsBetween,
  mutating,
  total,
  useControllers,
  type ControllerProcess,
  type LogLine,
} from './controller-process.ts';
import { assertSteady, isFullReconcile } from './steady-state.ts';
import {
  awsView,
  Cluster,
  eventually,
  FINALIZER,
  ingressManifest,
  ruleSummary,
  type AwsView,
  type LbView,
} from './world-view.ts';

const A = 'alb.ingress.kubernetes.io/';

describe('albatross controller keeps one namespace in sync, end to end', () => {
  const testEnv = useTestEnv();
  const controllers = useControllers();
  let env: TestEnv;
  let cluster: Cluster;
  let ctl: ControllerProcess;
  let ns: string;
  let mall: string;
  let foreign: { lbArn: string; tgArn: string; otherClusterLbArn: string };
  const steadyReads: Record<string, number> = {};

  const shopGroup = (): string => `${ns}/shop`;
  const podsGroup = (): string => `${ns}/pods`;

  /** Reconcile lines since `since` for `group` (full and targets-only). */
  function linesFor(group: string, since: number): LogLine[] {
    return ctl.lines.slice(since).filter((l) => l.msg === 'reconciled' && l.group === group);
  }

  function changesIn(lines: readonly LogLine[]): Record<string, number> {
    const sum: Record<string, number> = {};
    for (const line of lines) {
      for (const [k, v] of Object.entries((line.byChange ?? {}) as Record<string, number>)) {
        sum[k] = (sum[k] ?? 0) + v;
      }
    }
    return sum;
  }

  async function lbOf(address: string): Promise<{ view: AwsView; lb: LbView }> {
    const view = await awsView(env);
    const lb = view.ourLbs().find((l) => l.dnsName === address);
    assert.ok(lb !== undefined, `our ALB with DNS name ${address}`);
    return { view, lb };
  }

  async function nodePort(service: string): Promise<number> {
    const svc = await cluster.core.readNamespacedService({ name: service, namespace: ns });
    const port = svc.spec?.ports?.[0]?.nodePort;
    assert.ok(port !== undefined, `${service} has a node port`);
    return port;
  }

  async function steady(ingress: string, group: string): Promise<void> {
    const report = await assertSteady(ctl, cluster, ingress, group);
    steadyReads[group] = report.reads;
  }

  before(async () => {
    env = testEnv.env;
    await env.resetAws();
    ns = await env.freshNamespace('e2e');
    mall = `mall-${randomBytes(3).toString('hex')}`;
    cluster = new Cluster(env, ns);
    for (const name of ['web', 'api', 'admin']) await cluster.service(name);
    await cluster.service('pods', 'ClusterIP');
    // Look-alikes: an untagged ALB and target group named as ours would be, and an ALB
    // carrying the ownership tags of another cluster.
    const nsPart = ns.slice(0, 8);
    const lb = await env.aws.elbv2.send(
      new CreateLoadBalancerCommand({
        Name: `k8s-${nsPart}-shop-0123456789`,
        Subnets: [...env.world.privateSubnetIds],
        Scheme: 'internal',
      }),
    );
    const tg = await env.aws.elbv2.send(
      new CreateTargetGroupCommand({
        Name: `k8s-${nsPart}-web-0123456789`,
        Protocol: 'HTTP',
        Port: 80,
        VpcId: env.world.vpcId,
      }),
    );
    const other = await env.aws.elbv2.send(
      new CreateLoadBalancerCommand({
        Name: `k8s-${nsPart}-shop-9876543210`,
        Subnets: [...env.world.privateSubnetIds],
        Scheme: 'internal',
        Tags: [
          { Key: 'albatross.dev/cluster', Value: 'another-cluster' },
          { Key: 'albatross.dev/stack', Value: `${ns}/shop` },
          { Key: 'albatross.dev/resource', Value: 'LoadBalancer' },
        ],
      }),
    );
    foreign = {
      lbArn: lb.LoadBalancers?.[0]?.LoadBalancerArn ?? '',
      tgArn: tg.TargetGroups?.[0]?.TargetGroupArn ?? '',
      otherClusterLbArn: other.LoadBalancers?.[0]?.LoadBalancerArn ?? '',
    };
    ctl = controllers.start(env, {
      name: 'lifecycle',
      args: [
        '--watch-namespace',
        ns,
        '--leader-election=false',
        '--sync-period',
        '10s',
        '--workers',
        '2',
        '--log-level',
        'debug',
      ],
    });
    await ctl.listening();
  });

  after(() => {
    console.log(`steady-state AWS reads per forced reconcile: ${JSON.stringify(steadyReads)}`);
  });

  it('creates ALB, listener, rule, target group and node targets; sets address and finalizer', async () => {
    // WHEN an Ingress (instance mode) routes /shop to a NodePort Service
    await cluster.createIngress(ingressManifest('shop', [{ path: '/shop', service: 'web' }]));
    // THEN its status gets the ALB's DNS name
    const address = await eventually('the address of shop', () => cluster.address('shop'));
    const { view, lb } = await lbOf(address);
    assert.equal(view.ourLbs().length, 1);
    assert.deepEqual(
      lb.listeners.map((l) => l.port),
      [80],
    );
    assert.equal(lb.rules.length, 1);
    const rule = ruleSummary(lb.rules[0] ?? {});
    assert.deepEqual(rule.paths.sort(), ['/shop', '/shop/*']);
    const [tg] = view.ourTgs();
    assert.equal(view.ourTgs().length, 1);
    assert.deepEqual(rule.forwardsTo, [tg?.arn]);
    const port = await nodePort('web');
    assert.deepEqual(
      tg?.targets,
      env.world.nodes.map((n) => `${n.instanceId}:${String(port)}`).sort(),
    );
    assert.ok((await cluster.ingress('shop'))?.metadata?.finalizers?.includes(FINALIZER));
    await steady('shop', shopGroup());
    assert.equal(await ctl.metric('albatross_managed_load_balancers'), 1);
  });

  it('applies a path, a host and a health-check change in place', async () => {
    const address = await eventually('the address of shop', () => cluster.address('shop'));
    const before = await lbOf(address);
    const ruleArns = before.lb.rules.map((r) => r.RuleArn);
    const tgArns = before.view.ourTgs().map((t) => t.arn);
    const since = ctl.cursor();
    // WHEN the path, the host and the health-check path change
    await cluster.updateIngress(
      ingressManifest('shop', [{ path: '/store', service: 'web', host: 'shop.example.com' }], {
        [`${A}healthcheck-path`]: '/healthz',
      }),
    );
    // THEN the same rule now matches the new host and path, the same TG checks /healthz
    const after = await eventually('the edited rule and health check', async () => {
      const now = await lbOf(address);
      const rule = ruleSummary(now.lb.rules[0] ?? {});
      const tg = now.view.ourTgs()[0];
      return rule.paths.includes('/store') &&
        rule.hosts.includes('shop.example.com') &&
        tg?.healthCheckPath === '/healthz'
        ? now
        : undefined;
    });
    assert.deepEqual(
      after.lb.rules.map((r) => r.RuleArn),
      ruleArns,
      'the rule was modified, not replaced',
    );
    assert.deepEqual(
      after.view.ourTgs().map((t) => t.arn),
      tgArns,
      'the target group was modified, not replaced',
    );
    await steady('shop', shopGroup());
    const changes = changesIn(linesFor(shopGroup(), since));
    assert.equal(changes['delete ListenerRule'], undefined, JSON.stringify(changes));
    assert.equal(changes['create ListenerRule'], undefined, JSON.stringify(changes));
    assert.ok((changes['update ListenerRule'] ?? 0) >= 1, JSON.stringify(changes));
    assert.ok((changes['update TargetGroup'] ?? 0) >= 1, JSON.stringify(changes));
  });

  it('shares one ALB between two members and reorders them without deleting a rule', async () => {
    // GIVEN two members of one group, m1 first
    const member = (name: string, path: string, service: string, order: string) =>
      ingressManifest(name, [{ path, service }], {
        [`${A}group.name`]: mall,
        [`${A}group.order`]: order,
      });
    await cluster.createIngress(member('m1', '/a', 'api', '1'));
    await cluster.createIngress(member('m2', '/b', 'admin', '2'));
    const address = await eventually('both members share one address', async () => {
      const [a1, a2] = [await cluster.address('m1'), await cluster.address('m2')];
      return a1 !== undefined && a1 === a2 ? a1 : undefined;
    });
    const { lb } = await lbOf(address);
    const priorityOf = (l: LbView, path: string): number =>
      Number(l.rules.find((r) => ruleSummary(r).paths.includes(path))?.Priority);
    assert.ok(priorityOf(lb, '/a') < priorityOf(lb, '/b'), 'm1 first');
    const ruleArns = lb.rules.map((r) => r.RuleArn).sort();
    await steady('m1', mall);
    // WHEN the order is swapped
    const since = ctl.cursor();
    await cluster.updateIngress(member('m1', '/a', 'api', '2'));
    await cluster.updateIngress(member('m2', '/b', 'admin', '1'));
    // THEN m2's rule comes first, and the rules are the same ones
    const after = await eventually('m2 first', async () => {
      const now = await lbOf(address);
      return priorityOf(now.lb, '/b') < priorityOf(now.lb, '/a') ? now.lb : undefined;
    });
    assert.deepEqual(after.rules.map((r) => r.RuleArn).sort(), ruleArns);
    await steady('m1', mall);
    const changes = changesIn(linesFor(mall, since));
    assert.equal(changes['delete ListenerRule'], undefined, JSON.stringify(changes));
  });

  it('reports a bad annotation on its member as a Warning; the other member still converges', async () => {
    const address = await eventually('the mall address', () => cluster.address('m1'));
    // WHEN m2 gets an invalid health-check interval and m1 changes its path
    await cluster.updateIngress(
      ingressManifest('m2', [{ path: '/b', service: 'admin' }], {
        [`${A}group.name`]: mall,
        [`${A}group.order`]: '1',
        [`${A}healthcheck-interval-seconds`]: 'often',
      }),
    );
    await cluster.updateIngress(
      ingressManifest('m1', [{ path: '/a2', service: 'api' }], {
        [`${A}group.name`]: mall,
        [`${A}group.order`]: '2',
      }),
    );
    // THEN m2 gets a Warning Event naming the annotation and the value
    const warning = await eventually('a Warning on m2', async () =>
      (await cluster.warnings('m2')).find((w) => w.includes('healthcheck-interval-seconds')),
    );
    assert.match(warning, /^FailedBuildModel: /);
    assert.ok(warning.includes('"often"'), warning);
    assert.deepEqual(await cluster.warnings('m1'), [], 'no Warning on m1');
    // AND m1's new path is served, while m2's frozen rule keeps serving
    await eventually('m1 serves /a2', async () => {
      const { lb } = await lbOf(address);
      const paths = lb.rules.flatMap((r) => ruleSummary(r).paths);
      return paths.includes('/a2') && !paths.includes('/a') && paths.includes('/b')
        ? true
        : undefined;
    });
    await steady('m1', mall);
    // WHEN the annotation is fixed, m2 converges too
    const since = ctl.cursor();
    await cluster.updateIngress(
      ingressManifest('m2', [{ path: '/b', service: 'admin' }], {
        [`${A}group.name`]: mall,
        [`${A}group.order`]: '1',
        [`${A}healthcheck-interval-seconds`]: '20',
      }),
    );
    await ctl.waitForLine(
      'a reconcile with m2 unfrozen',
      (l) => isFullReconcile(l, mall) && Array.isArray(l.frozen) && l.frozen.length === 0,
      { since },
    );
    await steady('m1', mall);
  });

  it('deleting one member of a shared group keeps the other serving on the same ALB', async () => {
    const address = await eventually('the mall address', () => cluster.address('m1'));
    // WHEN m2 is deleted
    await cluster.deleteIngress('m2');
    // THEN m2 is released and gone, m1 keeps its address and rules, m2's rule and TG go
    await eventually('m2 gone', async () => ((await cluster.ingress('m2')) ? undefined : true));
    const { view, lb } = await eventually('m2 rule gone', async () => {
      const now = await lbOf(address);
      return now.lb.rules.length === 1 ? now : undefined;
    });
    assert.deepEqual(ruleSummary(lb.rules[0] ?? {}).paths.sort(), ['/a2', '/a2/*']);
    assert.equal(await cluster.address('m1'), address);
    assert.ok(!view.ourTgs().some((t) => t.name.includes('-admin-')), 'the admin TG is deleted');
    await steady('m1', mall);
  });

  it('ip mode: targets follow the EndpointSlice with register/deregister calls only', async () => {
    const ips = await allocatePodIps(env, 4);
    const [ip1 = '', ip2 = '', ip3 = '', ip4 = ''] = ips;
    await cluster.endpoints('pods', [ip1, ip2]);
    await cluster.createIngress(
      ingressManifest('pods', [{ path: '/', service: 'pods' }], { [`${A}target-type`]: 'ip' }),
    );
    const address = await eventually('the address of pods', () => cluster.address('pods'));
    const tgOf = async () => {
      const { view, lb } = await lbOf(address);
      const arn = ruleSummary(lb.rules[0] ?? {}).forwardsTo[0];
      return view.tgs.find((t) => t.arn === arn);
    };
    const first = await eventually('two pod targets', async () => {
      const tg = await tgOf();
      return tg?.targets.length === 2 ? tg : undefined;
    });
    assert.equal(first.targetType, 'ip');
    assert.deepEqual(first.targets, [`${ip1}:8080`, `${ip2}:8080`].sort());
    await steady('pods', podsGroup());
    // WHEN the slice scales: ip2 leaves, ip3 and ip4 arrive
    const calls = await ctl.awsCalls();
    const since = ctl.cursor();
    await cluster.endpoints('pods', [ip1, ip3, ip4]);
    // THEN the targets follow
    const want = [ip1, ip3, ip4].map((ip) => `${ip}:8080`).sort();
    await eventually('the scaled targets', async () => {
      const tg = await tgOf();
      return JSON.stringify(tg?.targets) === JSON.stringify(want) ? true : undefined;
    });
    await ctl.waitForLine(
      'the targets reconcile',
      (l) => l.msg === 'reconciled' && l.group === podsGroup() && l.changesApplied !== 0,
      { since },
    );
    // AND the only writes were target (de)registrations, on the cheap targets-only path
    const writes = mutating(callsBetween(calls, await ctl.awsCalls()));
    assert.deepEqual(Object.keys(writes).sort(), ['DeregisterTargets', 'RegisterTargets']);
    assert.ok(
      linesFor(podsGroup(), since).some((l) => l.key === `targets:${podsGroup()}`),
      'a targets-only reconcile ran',
    );
    await steady('pods', podsGroup());
  });

  it('switching target-type instance → ip replaces the target group and deletes the old one', async () => {
    const address = await eventually('the address of shop', () => cluster.address('shop'));
    const before = await lbOf(address);
    const oldTg = ruleSummary(before.lb.rules[0] ?? {}).forwardsTo[0];
    assert.ok(oldTg !== undefined);
    const [ip] = await allocatePodIps(env, 1);
    await cluster.endpoints('web', [ip ?? '']);
    // WHEN shop switches to ip targets
    await cluster.updateIngress(
      ingressManifest('shop', [{ path: '/store', service: 'web', host: 'shop.example.com' }], {
        [`${A}healthcheck-path`]: '/healthz',
        [`${A}target-type`]: 'ip',
      }),
    );
    // THEN the rule forwards to a new ip target group and the old one is deleted
    const { view, tgArn } = await eventually('the new target group', async () => {
      const now = await lbOf(address);
      const arn = ruleSummary(now.lb.rules[0] ?? {}).forwardsTo[0];
      const gone = !now.view.tgs.some((t) => t.arn === oldTg);
      return arn !== undefined && arn !== oldTg && gone
        ? { view: now.view, tgArn: arn }
        : undefined;
    });
    const tg = view.tgs.find((t) => t.arn === tgArn);
    assert.equal(tg?.targetType, 'ip');
    assert.deepEqual(tg.targets, [`${ip ?? ''}:8080`]);
    await steady('shop', shopGroup());
  });

  it('a periodic resync reconciles every group, plans nothing and writes nothing', async () => {
    // GIVEN a quiet controller; WHEN the next resync comes (10 s period, jittered)
    const calls = await ctl.awsCalls();
    const since = ctl.cursor();
    const resync = await ctl.waitForLine('a resync', (l) => l.msg === 'resync', {
      since,
      timeoutMs: 15_000,
    });
    const groups = [shopGroup(), podsGroup(), mall];
    const start = ctl.lines.indexOf(resync);
    for (const group of groups) {
      await ctl.waitForLine(`the resync of ${group}`, (l) => isFullReconcile(l, group), {
        since: start,
      });
    }
    await ctl.waitForLine('the garbage collection', (l) => l.group === 'collect-garbage:', {
      since: start,
    });
    // THEN each planned nothing and no mutating call was made
    for (const line of ctl.lines.slice(start)) {
      if (line.msg !== 'reconciled') continue;
      assert.equal(line.outcome, 'success', line.raw);
      if (line.planned !== undefined) assert.equal(line.planned, 0, line.raw);
    }
    const used = callsBetween(calls, await ctl.awsCalls());
    assert.deepEqual(mutating(used), {});
    console.log(
      `resync of ${String(groups.length)} groups + garbage collection: ${String(total(used))} reads ${JSON.stringify(used)}`,
    );
  });

  it('deleting every Ingress leaves nothing of ours in AWS and removes the finalizers', async () => {
    // WHEN every Ingress is deleted
    for (const name of ['shop', 'm1', 'pods']) await cluster.deleteIngress(name);
    // THEN they are gone (finalizers removed) and nothing of ours is left in moto
    await eventually('every Ingress gone', async () => {
      for (const name of ['shop', 'm1', 'pods']) {
        if ((await cluster.ingress(name)) !== undefined) return undefined;
      }
      return true;
    });
    const view = await eventually('nothing of ours in AWS', async () => {
      const now = await awsView(env);
      const sgs = now.ourSecurityGroups.filter((g) => !g.includes('backend'));
      return now.ourLbs().length === 0 && now.ourTgs().length === 0 && sgs.length === 0
        ? now
        : undefined;
    });
    assert.ok(view.ourSecurityGroups.length <= 1, `left: ${view.ourSecurityGroups.join()}`);
    await eventually('managed ALBs metric drops to 0', async () =>
      (await ctl.metric('albatross_managed_load_balancers')) === 0 ? true : undefined,
    );
  });

  it('the foreign look-alikes survived all of the above, tags untouched', async () => {
    const view = await awsView(env);
    assert.ok(view.lbs.some((l) => l.arn === foreign.lbArn && !l.ours));
    assert.ok(view.lbs.some((l) => l.arn === foreign.otherClusterLbArn && !l.ours));
    assert.ok(view.tgs.some((t) => t.arn === foreign.tgArn && !t.ours));
    const tags = await env.aws.elbv2.send(
      new DescribeTagsCommand({ ResourceArns: [foreign.lbArn, foreign.tgArn] }),
    );
    for (const d of tags.TagDescriptions ?? []) assert.deepEqual(d.Tags ?? [], []);
  });
});
