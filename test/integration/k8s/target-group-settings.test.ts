/**
 * Target-group settings live: an Ingress and its Service with every target-group
 * annotation off its default (the Service's value over the Ingress's), through the
 * in-process reconciler into moto; then what changes in place, what replaces the target
 * group, and that the pass after each apply writes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { CoreV1Api, NetworkingV1Api } from '@kubernetes/client-node';
import { isMutating } from '../../../pkg/aws/index.ts';
import type { AwsClients } from '../../../pkg/aws/index.ts';
import type { ClusterCaches } from '../../../pkg/k8s/index.ts';
import type { Reconciler, ReconcileReport } from '../../../controller/reconciler.ts';
import { useTestEnv } from '../../env/testenv.ts';
import type { TestEnv } from '../../env/testenv.ts';
import { eventually, ingress, nodePortService } from './helpers.ts';
import { startInProcessWorld, type InProcessWorld } from './in-process-world.ts';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const A = 'alb.ingress.kubernetes.io/';
const EXCLUDE = 'node.kubernetes.io/exclude-from-external-load-balancers';

describe('target-group settings live', () => {
  const testEnv = useTestEnv();
  let env: TestEnv;
  let ns: string;
  let pool: string;
  let core: CoreV1Api;
  let net: NetworkingV1Api;
  let aws: AwsClients;
  let caches: ClusterCaches;
  let reconciler: Reconciler;
  let harness: InProcessWorld;
  const signal = new AbortController().signal;

  async function labelNode(name: string, labels: Record<string, string | null>): Promise<void> {
    await core.patchNode({ name, body: { metadata: { labels } } }, mergePatch);
  }

  before(async () => {
    env = testEnv.env;
    harness = await startInProcessWorld(env, 'tgset', []);
    ({ ns, core, net, aws, caches, reconciler } = harness);
    pool = ns; // unique per run: nodes are shared by the whole API server
    // Nodes 0 and 1 carry the pool label; node 1 is also excluded from load balancers.
    const [n0, n1] = env.world.nodes;
    await labelNode(n0?.name ?? '', { 'albatross.test/pool': pool });
    await labelNode(n1?.name ?? '', { 'albatross.test/pool': pool, [EXCLUDE]: '' });
    const svc = nodePortService(ns, 'web');
    svc.metadata = {
      name: 'web',
      namespace: ns,
      annotations: { [`${A}healthcheck-path`]: '/from-service', [`${A}success-codes`]: '200,202' },
    };
    await core.createNamespacedService({ namespace: ns, body: svc });
    await net.createNamespacedIngress({
      namespace: ns,
      body: ingress(ns, 'shop', {
        services: ['web'],
        annotations: {
          [`${A}backend-protocol`]: 'HTTPS',
          [`${A}backend-protocol-version`]: 'HTTP2',
          [`${A}target-group-attributes`]:
            'deregistration_delay.timeout_seconds=45,slow_start.duration_seconds=30',
          [`${A}target-node-labels`]: `albatross.test/pool=${pool}`,
          [`${A}healthcheck-port`]: '8443',
          [`${A}healthcheck-protocol`]: 'HTTP',
          [`${A}healthcheck-path`]: '/from-ingress',
          [`${A}healthcheck-interval-seconds`]: '20',
          [`${A}healthcheck-timeout-seconds`]: '7',
          [`${A}healthy-threshold-count`]: '3',
          [`${A}unhealthy-threshold-count`]: '4',
          [`${A}success-codes`]: '200-299',
        },
      }),
    });
    await cached();
    await eventually('nodes labelled in the cache', () =>
      caches.nodes.get(n1?.name ?? '')?.metadata?.labels?.[EXCLUDE] === '' ? true : undefined,
    );
  });
  after(async () => {
    for (const n of env.world.nodes.slice(0, 2)) {
      await labelNode(n.name, { 'albatross.test/pool': null, [EXCLUDE]: null });
    }
    await harness.stop();
  });

  async function cached(): Promise<void> {
    const live = await net.readNamespacedIngress({ name: 'shop', namespace: ns });
    await eventually('cache of shop', () =>
      caches.ingresses.get('shop', ns)?.metadata?.resourceVersion === live.metadata?.resourceVersion
        ? true
        : undefined,
    );
  }

  async function reconcile(): Promise<{ report: ReconcileReport; writes: string[] }> {
    aws.calls.reset();
    const report = await reconciler.reconcile(`${ns}/shop`, signal);
    const writes = aws.calls
      .snapshot()
      .filter((c) => isMutating(c.operation))
      .map((c) => c.operation);
    await cached();
    return { report, writes };
  }

  async function onlyTargetGroup(): Promise<TargetGroup> {
    const tgs = (await aws.elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
    assert.equal(tgs.length, 1, `target groups: ${tgs.map((t) => t.TargetGroupName).join()}`);
    const [tg] = tgs;
    assert.ok(tg !== undefined);
    return tg;
  }

  async function annotate(annotations: Record<string, string>): Promise<void> {
    await net.patchNamespacedIngress(
      { name: 'shop', namespace: ns, body: { metadata: { annotations } } },
      mergePatch,
    );
    await cached();
  }

  it('creates the target group with every setting, the Service winning over the Ingress', async () => {
    // GIVEN the Ingress and Service above, WHEN reconciled
    const first = await reconcile();
    assert.ok(first.report.dnsName !== null);
    // THEN the target group holds the protocol, version and every health-check value
    const tg = await onlyTargetGroup();
    assert.equal(tg.Protocol, 'HTTPS');
    assert.equal(tg.ProtocolVersion, 'HTTP2');
    assert.equal(tg.TargetType, 'instance');
    assert.equal(tg.HealthCheckProtocol, 'HTTP');
    assert.equal(tg.HealthCheckPort, '8443');
    assert.equal(tg.HealthCheckPath, '/from-service');
    assert.equal(tg.HealthCheckIntervalSeconds, 20);
    assert.equal(tg.HealthCheckTimeoutSeconds, 7);
    assert.equal(tg.HealthyThresholdCount, 3);
    assert.equal(tg.UnhealthyThresholdCount, 4);
    assert.equal(tg.Matcher?.HttpCode, '200,202');
    // AND the listed attributes
    const attrs = await aws.elbv2.send(
      new DescribeTargetGroupAttributesCommand({ TargetGroupArn: tg.TargetGroupArn }),
    );
    const byKey = new Map((attrs.Attributes ?? []).map((a) => [a.Key, a.Value]));
    assert.equal(byKey.get('deregistration_delay.timeout_seconds'), '45');
    assert.equal(byKey.get('slow_start.duration_seconds'), '30');
    // AND only the labelled node that is not excluded is a target, on the NodePort
    const health = await aws.elbv2.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }),
    );
    const svc = await core.readNamespacedService({ name: 'web', namespace: ns });
    const nodePort = svc.spec?.ports?.[0]?.nodePort;
    assert.deepEqual(
      (health.TargetHealthDescriptions ?? []).map((d) => [d.Target?.Id, d.Target?.Port]),
      [[env.world.nodes[0]?.instanceId, nodePort]],
    );
    // AND the next pass writes nothing
    const again = await reconcile();
    assert.equal(again.report.planned, 0);
    assert.deepEqual(again.writes, []);
  });

  it('changes a health-check value in place, keeping the target group', async () => {
    const before = await onlyTargetGroup();
    // WHEN the interval changes
    await annotate({ [`${A}healthcheck-interval-seconds`]: '25' });
    const changed = await reconcile();
    // THEN the same target group is modified, nothing created or deleted
    assert.deepEqual(changed.writes, ['ModifyTargetGroup']);
    const after = await onlyTargetGroup();
    assert.equal(after.TargetGroupArn, before.TargetGroupArn);
    assert.equal(after.HealthCheckIntervalSeconds, 25);
    const again = await reconcile();
    assert.equal(again.report.planned, 0);
    assert.deepEqual(again.writes, []);
  });

  it('replaces the target group when the backend protocol changes', async () => {
    const before = await onlyTargetGroup();
    // WHEN the backend protocol goes back to HTTP (and the version to the default)
    await annotate({ [`${A}backend-protocol`]: 'HTTP' });
    const changed = await reconcile();
    // THEN a new target group takes over and the old one is gone
    assert.ok(changed.writes.includes('CreateTargetGroup'), changed.writes.join());
    assert.ok(changed.writes.includes('DeleteTargetGroup'), changed.writes.join());
    const after = await onlyTargetGroup();
    assert.notEqual(after.TargetGroupArn, before.TargetGroupArn);
    assert.equal(after.Protocol, 'HTTP');
    assert.equal(after.HealthCheckIntervalSeconds, 25);
    const again = await reconcile();
    assert.equal(again.report.planned, 0);
    assert.deepEqual(again.writes, []);
  });
});
