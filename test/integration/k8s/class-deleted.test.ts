/**
 * An IngressClass (or the IngressClassParams it names) deleted under applied Ingresses,
 * live: the real API server and the emulator. `kubectl delete ingressclass`, an uninstall
 * that removes the class first, a rename or a GitOps prune must not delete the ALB: the
 * Ingress keeps its finalizer, its load balancer, listener, rules, target group and
 * security group stay in AWS, a Warning names the missing class, and the periodic garbage
 * collection leaves the stack alone. When the class is back, the group converges with no
 * AWS write.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { CustomObjectsApi } from '@kubernetes/client-node';
import type { CoreV1Api, NetworkingV1Api, V1Ingress } from '@kubernetes/client-node';
import type { AwsClients } from '../../../pkg/aws/index.ts';
import type { ClusterCaches } from '../../../pkg/k8s/index.ts';
import type { Reconciler, ReconcileReport } from '../../../controller/reconciler.ts';
import { installCrds } from '../../env/crds.ts';
import { useTestEnv } from '../../env/testenv.ts';
import type { TestEnv } from '../../env/testenv.ts';
import { eventually, ingress, PARAMS_RESOURCE, paramsCrdServing } from './helpers.ts';
import { startInProcessWorld, type InProcessWorld } from './in-process-world.ts';

const FINALIZER = 'albatross.dev/resources';

/** What of the group exists in the emulator: ARNs and counts a user would check. */
interface Footprint {
  readonly dnsName: string;
  readonly loadBalancer: string;
  readonly listeners: number;
  readonly rules: number;
  readonly targetGroups: readonly string[];
  readonly securityGroups: readonly string[];
}

describe('IngressClass or IngressClassParams deleted under applied Ingresses', () => {
  const testEnv = useTestEnv();
  let env: TestEnv;
  let ns: string;
  let core: CoreV1Api;
  let net: NetworkingV1Api;
  let custom: CustomObjectsApi;
  let aws: AwsClients;
  let caches: ClusterCaches;
  let reconciler: Reconciler;
  let harness: InProcessWorld;
  const enqueued: string[] = [];
  const signal = new AbortController().signal;

  before(async () => {
    env = testEnv.env;
    await installCrds(env);
    harness = await startInProcessWorld(env, 'class-gone', ['web'], {
      enqueue: (key) => enqueued.push(key),
    });
    ({ ns, core, net, aws, caches, reconciler } = harness);
    custom = env.kc.makeApiClient(CustomObjectsApi);
    await paramsCrdServing(custom);
  });
  after(async () => {
    await harness.stop();
  });

  /** Cluster-scoped names, unique per run. */
  const className = (suffix: string): string => `${ns}-${suffix}`;

  async function createClass(name: string, params?: string): Promise<void> {
    await net.createIngressClass({
      body: {
        metadata: { name },
        spec: {
          controller: 'albatross.dev/alb',
          ...(params === undefined
            ? {}
            : {
                parameters: { apiGroup: 'elbv2.k8s.aws', kind: 'IngressClassParams', name: params },
              }),
        },
      },
    });
    await eventually(`class ${name} cached`, () =>
      caches.ingressClasses.get(name) !== undefined ? true : undefined,
    );
  }

  async function deleteClass(name: string): Promise<void> {
    await net.deleteIngressClass({ name });
    await eventually(`class ${name} gone from cache`, () =>
      caches.ingressClasses.get(name) === undefined ? true : undefined,
    );
  }

  async function createParams(name: string): Promise<void> {
    await custom.createClusterCustomObject({
      ...PARAMS_RESOURCE,
      body: {
        apiVersion: 'elbv2.k8s.aws/v1beta1',
        kind: 'IngressClassParams',
        metadata: { name },
        spec: { scheme: 'internet-facing' },
      },
    });
    await eventually(`params ${name} cached`, () =>
      caches.ingressClassParams?.get(name) !== undefined ? true : undefined,
    );
  }

  async function cached(name: string): Promise<V1Ingress> {
    const live = await net.readNamespacedIngress({ name, namespace: ns });
    return eventually(`cache of ${name}`, () => {
      const c = caches.ingresses.get(name, ns);
      return c?.metadata?.resourceVersion === live.metadata?.resourceVersion ? c : undefined;
    });
  }

  async function reconcile(name: string): Promise<ReconcileReport> {
    const report = await reconciler.reconcile(`${ns}/${name}`, signal);
    await cached(name);
    return report;
  }

  async function footprint(dnsName: string): Promise<Footprint> {
    const lbs = await aws.elbv2.send(new DescribeLoadBalancersCommand({}));
    const lb = (lbs.LoadBalancers ?? []).find((l) => l.DNSName?.toLowerCase() === dnsName);
    assert.ok(lb?.LoadBalancerArn !== undefined, `the ALB ${dnsName} exists`);
    const listeners = await aws.elbv2.send(
      new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }),
    );
    let rules = 0;
    for (const l of listeners.Listeners ?? []) {
      const out = await aws.elbv2.send(new DescribeRulesCommand({ ListenerArn: l.ListenerArn }));
      rules += (out.Rules ?? []).filter((r) => r.IsDefault !== true).length;
    }
    const tgs = await aws.elbv2.send(
      new DescribeTargetGroupsCommand({ LoadBalancerArn: lb.LoadBalancerArn }),
    );
    const sgs = await aws.ec2.send(
      new DescribeSecurityGroupsCommand({ GroupIds: [...(lb.SecurityGroups ?? [])] }),
    );
    return {
      dnsName,
      loadBalancer: lb.LoadBalancerArn,
      listeners: listeners.Listeners?.length ?? 0,
      rules,
      targetGroups: (tgs.TargetGroups ?? []).map((tg) => tg.TargetGroupArn ?? '').sort(),
      securityGroups: (sgs.SecurityGroups ?? []).map((sg) => sg.GroupId ?? '').sort(),
    };
  }

  async function warningsOf(name: string): Promise<string[]> {
    const events = await core.listNamespacedEvent({ namespace: ns });
    return events.items
      .filter((e) => e.involvedObject.name === name && e.type === 'Warning')
      .map((e) => `${e.reason ?? ''}: ${e.message ?? ''}`);
  }

  /** Applies `name` of `cls`, then returns what it made in AWS. */
  async function applied(name: string, cls: string): Promise<Footprint> {
    const body = ingress(ns, name, { services: ['web'] });
    if (body.spec !== undefined) body.spec.ingressClassName = cls;
    await net.createNamespacedIngress({ namespace: ns, body });
    await cached(name);
    const report = await reconcile(name);
    assert.ok(report.dnsName !== null, 'converged with an address');
    assert.deepEqual(report.frozen, []);
    const made = await footprint(report.dnsName);
    assert.equal(made.listeners, 1);
    assert.equal(made.rules, 1);
    assert.equal(made.targetGroups.length, 1);
    assert.ok(made.securityGroups.length > 0);
    return made;
  }

  /** GIVEN the class (or its params) is gone: reconcile and GC keep everything. */
  async function keptWhileGone(name: string, before: Footprint, missing: RegExp): Promise<void> {
    aws.calls.reset();
    // WHEN the group is reconciled
    const report = await reconcile(name);
    // THEN nothing is planned or written, the member is frozen, the ALB is all there
    assert.equal(report.planned, 0, 'nothing planned');
    assert.equal(aws.calls.mutatingCalls(), 0, 'no mutating AWS call');
    assert.deepEqual(report.frozen, [`${ns}/${name}`]);
    assert.deepEqual(await footprint(report.dnsName ?? ''), before);
    // AND the Ingress keeps our finalizer and its address
    const now = await net.readNamespacedIngress({ name, namespace: ns });
    assert.ok(now.metadata?.finalizers?.includes(FINALIZER), 'finalizer kept');
    assert.equal(now.status?.loadBalancer?.ingress?.[0]?.hostname, report.dnsName);
    // AND a Warning says which class is missing and that nothing changes
    const warnings = await eventually('a Warning', async () => {
      const found = (await warningsOf(name)).filter((w) => missing.test(w));
      return found.length > 0 ? found : undefined;
    });
    assert.match(warnings[0] ?? '', /^FailedBuildModel: /);
    // AND garbage collection does not take the stack for an orphan
    assert.deepEqual(await reconciler.orphanKeys(signal), []);
    assert.deepEqual(await footprint(report.dnsName ?? ''), before);
    assert.equal(aws.calls.mutatingCalls(), 0, 'GC wrote nothing');
  }

  /** WHEN what was missing is back THEN the group converges as it was, with no AWS write. */
  async function convergesAgain(name: string, was: Footprint): Promise<void> {
    aws.calls.reset();
    const report = await reconcile(name);
    assert.deepEqual(report.frozen, []);
    assert.equal(report.planned, 0);
    assert.equal(aws.calls.mutatingCalls(), 0);
    assert.deepEqual(await footprint(report.dnsName ?? ''), was);
  }

  it('the IngressClass deleted: the ALB stays, the finalizer stays, a Warning names the class; re-created, it converges', async () => {
    const cls = className('alb');
    await createClass(cls);
    const was = await applied('app', cls);
    enqueued.length = 0;
    // WHEN the IngressClass is deleted (kubectl delete, helm uninstall, a prune)
    await deleteClass(cls);
    // THEN the class's deletion maps to the Ingress's group
    await eventually('group enqueued', () => (enqueued.includes(`${ns}/app`) ? true : undefined));
    await keptWhileGone('app', was, new RegExp(`IngressClass ${cls} does not exist`));
    // WHEN the class is created again
    enqueued.length = 0;
    await createClass(cls);
    await eventually('group enqueued', () => (enqueued.includes(`${ns}/app`) ? true : undefined));
    await convergesAgain('app', was);
  });

  it('the IngressClassParams deleted: the ALB stays, a Warning names the params; re-created, it converges', async () => {
    const cls = className('with-params');
    await createParams(cls);
    await createClass(cls, cls);
    const was = await applied('edge', cls);
    // WHEN the params the class names are deleted
    await custom.deleteClusterCustomObject({ ...PARAMS_RESOURCE, name: cls });
    await eventually('params gone from cache', () =>
      caches.ingressClassParams?.get(cls) === undefined ? true : undefined,
    );
    await keptWhileGone('edge', was, new RegExp(`IngressClass ${cls}: spec.parameters "${cls}"`));
    // WHEN they are back
    await createParams(cls);
    await convergesAgain('edge', was);
  });

  it('an Ingress deleted while its class is gone is let go: its ALB is deleted, then its finalizer', async () => {
    const cls = className('alb');
    await deleteClass(cls);
    await net.deleteNamespacedIngress({ name: 'app', namespace: ns });
    await cached('app');
    const report = await reconciler.reconcile(`${ns}/app`, signal);
    assert.equal(report.dnsName, null);
    await eventually('the Ingress gone', () =>
      net.readNamespacedIngress({ name: 'app', namespace: ns }).then(
        () => undefined,
        () => true,
      ),
    );
  });
});
