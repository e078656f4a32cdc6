/**
 * TargetGroupBinding against the real API server (the chart's CRD, CEL rules included)
 * and the emulator: target groups are created by the test, never by us, and the binding
 * only ever touches their targets.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  CreateTargetGroupCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeSecurityGroupRulesCommand } from '@aws-sdk/client-ec2';
import {
  type CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';

import { BindingReconciler } from '../../../controller/binding-reconciler.ts';
import { isMutating, type AwsClients } from '../../../pkg/aws/index.ts';
import {
  BINDING_FINALIZER,
  BindingCache,
  bindingWorkKey,
  ownedTargetsName,
  wireBindingEvents,
  type TargetGroupBinding,
} from '../../../pkg/k8s/index.ts';
import { TAG_CLUSTER, TAG_RESOURCE, TAG_STACK } from '../../../pkg/naming/index.ts';
import { TARGET_GROUP_BINDING } from '../../../pkg/translate/index.ts';
import { installCrds } from '../../env/crds.ts';
import {
  startInProcessReconciler,
  type InProcessReconciler,
} from '../../env/in-process-reconciler.ts';
import { useTestEnv } from '../../env/testenv.ts';
import { endpointSlice, eventually, nodePortService } from './helpers.ts';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const { group, version, plural } = TARGET_GROUP_BINDING;

/** Calls that change AWS state. */
function writes(aws: AwsClients): string[] {
  return aws.calls
    .snapshot()
    .filter((c) => isMutating(c.operation))
    .map((c) => c.operation);
}

describe('TargetGroupBinding', () => {
  const testEnv = useTestEnv();
  let harness: InProcessReconciler;
  let bindings: BindingCache;
  let reconciler: BindingReconciler;
  let aws: AwsClients;
  let core: CoreV1Api;
  let custom: CustomObjectsApi;
  let discovery: DiscoveryV1Api;
  let ns: string;
  const keys: string[] = [];
  const signal = new AbortController().signal;

  before(async () => {
    const env = testEnv.env;
    await env.resetAws();
    await installCrds(env);
    ns = await env.freshNamespace('tgb');
    harness = await startInProcessReconciler(env, { namespace: ns });
    ({ aws, core } = harness);
    custom = env.kc.makeApiClient(CustomObjectsApi);
    discovery = env.kc.makeApiClient(DiscoveryV1Api);
    bindings = new BindingCache({ kc: env.kc, watchNamespace: ns });
    wireBindingEvents(bindings, harness.caches, (k) => keys.push(k));
    assert.equal(await bindings.start(), true, 'the CRD is installed');
    reconciler = new BindingReconciler({
      bindings,
      caches: harness.caches,
      kc: env.kc,
      core,
      clients: aws,
      clusterName: env.clusterName,
      vpcId: env.world.vpcId,
    });
  });

  after(async () => {
    await bindings.stop();
    await harness.stop();
  });

  async function targetGroup(name: string, targetType: 'ip' | 'instance'): Promise<string> {
    const out = await aws.elbv2.send(
      new CreateTargetGroupCommand({
        Name: name,
        Protocol: 'HTTP',
        Port: 80,
        VpcId: testEnv.env.world.vpcId,
        TargetType: targetType,
      }),
    );
    const arn = out.TargetGroups?.[0]?.TargetGroupArn;
    assert.ok(arn !== undefined);
    return arn;
  }

  async function registered(arn: string): Promise<string[]> {
    const out = await aws.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
    return (out.TargetHealthDescriptions ?? [])
      .filter((d) => d.TargetHealth?.State !== 'draining')
      .map((d) => `${d.Target?.Id ?? ''}:${String(d.Target?.Port)}`)
      .sort();
  }

  async function createBinding(name: string, spec: Record<string, unknown>): Promise<void> {
    await custom.createNamespacedCustomObject({
      group,
      version,
      plural,
      namespace: ns,
      body: {
        apiVersion: `${group}/${version}`,
        kind: 'TargetGroupBinding',
        metadata: { name },
        spec,
      },
    });
  }

  async function readBinding(name: string): Promise<TargetGroupBinding> {
    return (await custom.getNamespacedCustomObject({
      group,
      version,
      plural,
      namespace: ns,
      name,
    })) as TargetGroupBinding;
  }

  /** Waits for the cache to hold what the API server holds now, then reconciles. */
  async function reconcile(name: string): Promise<number> {
    const live = await readBinding(name).catch(() => undefined);
    const rv = live?.metadata?.resourceVersion;
    await eventually(`cache of ${name}`, () =>
      bindings.get(ns, name)?.metadata?.resourceVersion === rv ? true : undefined,
    );
    const result = await reconciler.reconcile(bindingWorkKey(ns, name), signal);
    return result.changesApplied;
  }

  async function scale(service: string, ips: readonly string[]): Promise<void> {
    await discovery.patchNamespacedEndpointSlice(
      {
        name: `${service}-slice`,
        namespace: ns,
        body: { endpoints: endpointSlice(ns, service, ips).endpoints },
      },
      mergePatch,
    );
    await eventually('slices cached', () => {
      const slices = harness.caches.endpointSlicesByService().get(`${ns}/${service}`) ?? [];
      const have = slices.flatMap((s) => (s.endpoints ?? []).flatMap((e) => e.addresses)).sort();
      return JSON.stringify(have) === JSON.stringify([...ips].sort()) ? true : undefined;
    });
  }

  function ready(b: TargetGroupBinding) {
    return (b.status?.conditions ?? []).find((c) => c.type === 'Ready');
  }

  it('ip mode by ARN: targets follow the endpoints, status Ready, steady state writes nothing', async () => {
    // GIVEN a target group made elsewhere with a stray target, and a Service with 2 ready pods
    const arn = await targetGroup('made-elsewhere-ip', 'ip');
    await aws.elbv2.send(
      new RegisterTargetsCommand({
        TargetGroupArn: arn,
        Targets: [{ Id: '10.0.200.9', Port: 8080 }],
      }),
    );
    await core.createNamespacedService({ namespace: ns, body: nodePortService(ns, 'web') });
    await discovery.createNamespacedEndpointSlice({
      namespace: ns,
      body: endpointSlice(ns, 'web', ['10.0.128.10', '10.0.128.11']),
    });
    await eventually('service cached', () =>
      harness.caches.serviceMap().get(`${ns}/web`) !== undefined ? true : undefined,
    );
    // WHEN a binding names it by ARN
    await createBinding('web', {
      targetGroupARN: arn,
      targetType: 'ip',
      serviceRef: { name: 'web', port: 80 },
    });
    await eventually('binding key enqueued', () =>
      keys.includes(bindingWorkKey(ns, 'web')) ? true : undefined,
    );
    await reconcile('web');
    // THEN its targets are the pods (the stray target of a non-shared group goes), Ready
    assert.deepEqual(await registered(arn), ['10.0.128.10:8080', '10.0.128.11:8080']);
    let live = await readBinding('web');
    assert.ok(live.metadata?.finalizers?.includes(BINDING_FINALIZER));
    assert.equal(ready(live)?.status, 'True');
    assert.equal(live.status?.observedGeneration, live.metadata?.generation);

    // WHEN the pods scale up, THEN the new one is registered
    keys.length = 0;
    await scale('web', ['10.0.128.10', '10.0.128.11', '10.0.128.12']);
    await eventually('slice event mapped to the binding', () =>
      keys.includes(bindingWorkKey(ns, 'web')) ? true : undefined,
    );
    await reconcile('web');
    assert.deepEqual(await registered(arn), [
      '10.0.128.10:8080',
      '10.0.128.11:8080',
      '10.0.128.12:8080',
    ]);
    // WHEN they scale down, THEN the gone ones are deregistered
    await scale('web', ['10.0.128.12']);
    await reconcile('web');
    assert.deepEqual(await registered(arn), ['10.0.128.12:8080']);

    // THEN a second reconcile of the unchanged binding makes no AWS write and no status write
    await reconcile('web');
    live = await readBinding('web');
    aws.calls.reset();
    const changes = await reconcile('web');
    assert.equal(changes, 0);
    assert.deepEqual(writes(aws), []);
    assert.equal(
      (await readBinding('web')).metadata?.resourceVersion,
      live.metadata?.resourceVersion,
    );
  });

  it('by name, instance mode with nodeSelector; networking rules added, then revoked on deletion', async () => {
    const world = testEnv.env.world;
    // GIVEN an instance target group made elsewhere and a NodePort Service
    const arn = await targetGroup('made-elsewhere-inst', 'instance');
    const svc = await core.createNamespacedService({
      namespace: ns,
      body: nodePortService(ns, 'api'),
    });
    const nodePort = svc.spec?.ports?.[0]?.nodePort;
    assert.ok(nodePort !== undefined);
    const zoneA = world.nodes.find((n) => n.zone === 'us-east-1a');
    assert.ok(zoneA !== undefined);
    await eventually('service cached', () =>
      harness.caches.serviceMap().get(`${ns}/api`) !== undefined ? true : undefined,
    );
    // WHEN a binding names it, selects the nodes of one zone, and asks for a rule
    await createBinding('api', {
      targetGroupName: 'made-elsewhere-inst',
      serviceRef: { name: 'api', port: 'http' },
      nodeSelector: { matchLabels: { 'topology.kubernetes.io/zone': 'us-east-1a' } },
      networking: {
        ingress: [
          {
            from: [{ ipBlock: { cidr: '10.1.0.0/16' } }],
            ports: [{ protocol: 'TCP', port: nodePort }],
          },
        ],
      },
    });
    await reconcile('api');
    // THEN the one selected node is the target, on the NodePort (target type from the group)
    assert.deepEqual(await registered(arn), [`${zoneA.instanceId}:${String(nodePort)}`]);
    const resource = `tgb-rule/${ns}/api`;
    const ourRules = async () =>
      (
        await aws.ec2.send(
          new DescribeSecurityGroupRulesCommand({
            Filters: [{ Name: `tag:${TAG_RESOURCE}`, Values: [resource] }],
          }),
        )
      ).SecurityGroupRules ?? [];
    const rules = await ourRules();
    assert.equal(rules.length, 1);
    const [rule] = rules;
    assert.ok(rule !== undefined);
    assert.equal(rule.GroupId, world.nodeSecurityGroupId);
    assert.equal(rule.CidrIpv4, '10.1.0.0/16');
    assert.equal(rule.FromPort, nodePort);
    assert.ok(rule.Tags?.some((t) => t.Key === TAG_CLUSTER && t.Value === testEnv.env.clusterName));
    // AND a steady-state reconcile writes nothing
    aws.calls.reset();
    assert.equal(await reconcile('api'), 0);
    assert.deepEqual(writes(aws), []);

    // WHEN the binding is deleted
    await custom.deleteNamespacedCustomObject({
      group,
      version,
      plural,
      namespace: ns,
      name: 'api',
    });
    await eventually('deletion seen', () =>
      bindings.get(ns, 'api')?.metadata?.deletionTimestamp !== undefined ? true : undefined,
    );
    await reconciler.reconcile(bindingWorkKey(ns, 'api'), signal);
    // THEN its targets are deregistered, its rule revoked, the finalizer released, and
    // the target group itself stays
    assert.deepEqual(await registered(arn), []);
    assert.deepEqual(await ourRules(), []);
    await assert.rejects(readBinding('api'), (err: { code?: number }) => err.code === 404);
    const still = await aws.elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arn] }));
    assert.equal(still.TargetGroups?.length, 1);
  });

  it('rejects an update of an immutable field with a message naming it', async () => {
    const arn = await targetGroup('immutable-check', 'ip');
    await createBinding('fixed', {
      targetGroupARN: arn,
      targetType: 'ip',
      serviceRef: { name: 'web', port: 80 },
    });
    for (const [field, value, message] of [
      ['targetGroupARN', `${arn}x`, 'spec.targetGroupARN is immutable'],
      ['targetType', 'instance', 'spec.targetType'],
      ['vpcID', 'vpc-0abc', 'spec.vpcID'],
    ] as const) {
      await assert.rejects(
        custom.patchNamespacedCustomObject(
          {
            group,
            version,
            plural,
            namespace: ns,
            name: 'fixed',
            body: { spec: { [field]: value } },
          },
          mergePatch,
        ),
        (err: { code?: number; body?: unknown }) =>
          err.code === 422 && String(err.body).includes(message),
        field,
      );
    }
    // AND a binding naming no target group at all is refused at creation
    await assert.rejects(
      createBinding('nothing', { serviceRef: { name: 'web', port: 80 } }),
      (err: { code?: number; body?: unknown }) =>
        err.code === 422 &&
        String(err.body).includes('spec.targetGroupARN or spec.targetGroupName is required'),
    );
  });

  it('multi-cluster: a target another cluster registered survives our sync and our deletion', async () => {
    // GIVEN a shared target group with another cluster's target in it
    const arn = await targetGroup('shared-across', 'ip');
    await aws.elbv2.send(
      new RegisterTargetsCommand({
        TargetGroupArn: arn,
        Targets: [{ Id: '10.0.99.1', Port: 8080 }],
      }),
    );
    await core.createNamespacedService({ namespace: ns, body: nodePortService(ns, 'shared') });
    await discovery.createNamespacedEndpointSlice({
      namespace: ns,
      body: endpointSlice(ns, 'shared', ['10.0.128.20', '10.0.128.21']),
    });
    await eventually('service cached', () =>
      harness.caches.serviceMap().get(`${ns}/shared`) !== undefined ? true : undefined,
    );
    await createBinding('shared', {
      targetGroupARN: arn,
      targetType: 'ip',
      multiClusterTargetGroup: true,
      serviceRef: { name: 'shared', port: 'http' },
    });
    // WHEN we sync, and then our pods scale down
    await reconcile('shared');
    assert.deepEqual(await registered(arn), [
      '10.0.128.20:8080',
      '10.0.128.21:8080',
      '10.0.99.1:8080',
    ]);
    await scale('shared', ['10.0.128.21']);
    await reconcile('shared');
    // THEN only our gone target left; the foreign one stays, and our record lists only ours
    assert.deepEqual(await registered(arn), ['10.0.128.21:8080', '10.0.99.1:8080']);
    const cm = await core.readNamespacedConfigMap({
      namespace: ns,
      name: ownedTargetsName('shared'),
    });
    assert.deepEqual(JSON.parse(cm.data?.targets ?? '[]'), ['10.0.128.21:8080']);
    // AND after a restart (a fresh reconciler, no memory) the same holds
    const fresh = new BindingReconciler({
      bindings,
      caches: harness.caches,
      kc: testEnv.env.kc,
      core,
      clients: aws,
      clusterName: testEnv.env.clusterName,
      vpcId: testEnv.env.world.vpcId,
    });
    aws.calls.reset();
    await fresh.reconcile(bindingWorkKey(ns, 'shared'), signal);
    assert.deepEqual(writes(aws), []);
    // WHEN the binding is deleted, THEN only our targets go
    await custom.deleteNamespacedCustomObject({
      group,
      version,
      plural,
      namespace: ns,
      name: 'shared',
    });
    await eventually('deletion seen', () =>
      bindings.get(ns, 'shared')?.metadata?.deletionTimestamp !== undefined ? true : undefined,
    );
    await fresh.reconcile(bindingWorkKey(ns, 'shared'), signal);
    assert.deepEqual(await registered(arn), ['10.0.99.1:8080']);
  });

  async function deleteBinding(name: string): Promise<void> {
    await custom.deleteNamespacedCustomObject({ group, version, plural, namespace: ns, name });
  }

  async function warnings(name: string, reason: string): Promise<string[]> {
    const events = await core.listNamespacedEvent({ namespace: ns });
    return events.items
      .filter(
        (e) =>
          e.involvedObject.kind === 'TargetGroupBinding' &&
          e.involvedObject.name === name &&
          e.type === 'Warning' &&
          e.reason === reason,
      )
      .map((e) => e.message ?? '');
  }

  async function serviceWith(name: string, ips: readonly string[]): Promise<void> {
    await core.createNamespacedService({ namespace: ns, body: nodePortService(ns, name) });
    await discovery.createNamespacedEndpointSlice({
      namespace: ns,
      body: endpointSlice(ns, name, ips),
    });
    await eventually('service cached', () =>
      harness.caches.endpointSlicesByService().get(`${ns}/${name}`) !== undefined
        ? true
        : undefined,
    );
  }

  it('two bindings on one target group: the older holds it, the other is refused and its deletion touches no target', async () => {
    // GIVEN a binding holding a target group, by ARN, with its Service's two pods registered
    const arn = await targetGroup('held-by-one', 'ip');
    await serviceWith('holder', ['10.0.130.10', '10.0.130.11']);
    await serviceWith('intruder', ['10.0.130.20']);
    await createBinding('holder-a', {
      targetGroupARN: arn,
      serviceRef: { name: 'holder', port: 80 },
    });
    await reconcile('holder-a');
    const served = ['10.0.130.10:8080', '10.0.130.11:8080'];
    assert.deepEqual(await registered(arn), served);
    // WHEN a second binding names the same target group, by name, for another Service
    await createBinding('taker-b', {
      targetGroupName: 'held-by-one',
      serviceRef: { name: 'intruder', port: 80 },
    });
    aws.calls.reset();
    await assert.rejects(reconcile('taker-b'), (err: { name?: string }) => {
      return err.name === 'TerminalError';
    });
    // THEN it is refused: Ready=False naming the holder, a Warning Event, no finalizer,
    // and the target group's targets are the holder's, untouched
    const refused = await readBinding('taker-b');
    assert.equal(ready(refused)?.status, 'False');
    assert.equal(ready(refused)?.reason, 'TargetGroupInUse');
    assert.match(ready(refused)?.message ?? '', new RegExp(`TargetGroupBinding ${ns}/holder-a`));
    assert.ok((await warnings('taker-b', 'TargetGroupInUse')).length > 0);
    assert.deepEqual(refused.metadata?.finalizers ?? [], []);
    assert.deepEqual(writes(aws), []);
    assert.deepEqual(await registered(arn), served);
    // WHEN the refused binding is deleted
    await deleteBinding('taker-b');
    await eventually('gone', () => (bindings.get(ns, 'taker-b') === undefined ? true : undefined));
    await reconciler.reconcile(bindingWorkKey(ns, 'taker-b'), signal);
    // THEN the holder's targets are all still there, and the holder plans nothing
    assert.deepEqual(await registered(arn), served);
    assert.equal(await reconcile('holder-a'), 0);
    assert.deepEqual(writes(aws), []);

    // GIVEN another refused binding, WHEN the holder is deleted
    await createBinding('taker-c', {
      targetGroupARN: arn,
      serviceRef: { name: 'intruder', port: 80 },
    });
    await assert.rejects(reconcile('taker-c'));
    keys.length = 0;
    await deleteBinding('holder-a');
    await eventually('deletion seen', () =>
      bindings.get(ns, 'holder-a')?.metadata?.deletionTimestamp !== undefined ? true : undefined,
    );
    await reconcile('holder-a');
    // THEN the holder's targets go, the other binding is queued again and takes over
    await eventually('holder gone', () =>
      bindings.get(ns, 'holder-a') === undefined ? true : undefined,
    );
    assert.ok(keys.includes(bindingWorkKey(ns, 'taker-c')), JSON.stringify(keys));
    await reconcile('taker-c');
    assert.deepEqual(await registered(arn), ['10.0.130.20:8080']);
    assert.equal(ready(await readBinding('taker-c'))?.reason, 'SuccessfullyReconciled');
  });

  it("a binding on a target group of an Ingress's stack is refused and never touches its targets", async () => {
    // GIVEN a target group carrying our ownership tags, with the Ingress's target in it
    const out = await aws.elbv2.send(
      new CreateTargetGroupCommand({
        Name: 'owned-by-ingress',
        Protocol: 'HTTP',
        Port: 80,
        VpcId: testEnv.env.world.vpcId,
        TargetType: 'ip',
        Tags: [
          { Key: TAG_CLUSTER, Value: testEnv.env.clusterName },
          { Key: TAG_STACK, Value: `${ns}/shop` },
          { Key: TAG_RESOURCE, Value: `tg/${ns}/shop/web:80` },
        ],
      }),
    );
    const arn = out.TargetGroups?.[0]?.TargetGroupArn ?? '';
    await aws.elbv2.send(
      new RegisterTargetsCommand({
        TargetGroupArn: arn,
        Targets: [{ Id: '10.0.131.5', Port: 8080 }],
      }),
    );
    await serviceWith('bound-to-owned', ['10.0.131.9']);
    // WHEN a binding names it
    await createBinding('on-owned', {
      targetGroupName: 'owned-by-ingress',
      serviceRef: { name: 'bound-to-owned', port: 80 },
    });
    aws.calls.reset();
    await assert.rejects(reconcile('on-owned'), (err: { name?: string }) => {
      return err.name === 'TerminalError';
    });
    // THEN it is refused naming the IngressGroup, and the target group is as it was
    const refused = await readBinding('on-owned');
    assert.equal(ready(refused)?.reason, 'TargetGroupInUse');
    assert.match(ready(refused)?.message ?? '', new RegExp(`IngressGroup ${ns}/shop`));
    assert.ok((await warnings('on-owned', 'TargetGroupInUse')).length > 0);
    assert.deepEqual(refused.metadata?.finalizers ?? [], []);
    assert.deepEqual(writes(aws), []);
    assert.deepEqual(await registered(arn), ['10.0.131.5:8080']);
  });

  it('a missing target group is a Ready=False condition and a Warning Event, and is retried', async () => {
    await createBinding('dangling', {
      targetGroupName: 'no-such-group',
      serviceRef: { name: 'web', port: 80 },
    });
    const live = await readBinding('dangling');
    await eventually('cached', () =>
      bindings.get(ns, 'dangling')?.metadata?.resourceVersion === live.metadata?.resourceVersion
        ? true
        : undefined,
    );
    await assert.rejects(
      reconciler.reconcile(bindingWorkKey(ns, 'dangling'), signal),
      (err: { name?: string; retryable?: boolean }) =>
        err.name === 'AwsError' && err.retryable === true,
    );
    const after = await readBinding('dangling');
    assert.equal(ready(after)?.status, 'False');
    assert.equal(ready(after)?.reason, 'TargetGroupNotFound');
    assert.match(
      ready(after)?.message ?? '',
      /spec\.targetGroupName: "no-such-group": no such target group/,
    );
    const events = await core.listNamespacedEvent({ namespace: ns });
    assert.ok(
      events.items.some(
        (e) =>
          e.involvedObject.kind === 'TargetGroupBinding' &&
          e.involvedObject.name === 'dangling' &&
          e.type === 'Warning' &&
          e.reason === 'TargetGroupNotFound',
      ),
    );
  });
});
