/**
 * Add-ons against the API server and moto's WAFv2 and Shield: `wafv2-acl-arn`,
 * `wafv2-acl-name` and `shield-advanced-protection` set, changed and removed (`none`,
 * `false`); absent annotations leave what AWS has alone; `--enable-*` off makes no add-on
 * call at all; add-ons are read with a full discovery only, so a settled group costs no
 * add-on call and no write. Classic WAF Regional (`waf-acl-id`) is not in moto: its
 * three calls (GetWebACLForResource, AssociateWebACL, DisassociateWebACL) are answered by
 * an injected client (waf-regional-fake.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DescribeProtectionCommand } from '@aws-sdk/client-shield';
import {
  AssociateWebACLCommand,
  CreateWebACLCommand,
  GetWebACLForResourceCommand,
} from '@aws-sdk/client-wafv2';
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { Reconciler, type ReconcileReport } from '../../../controller/reconciler.ts';
import type { AwsClients } from '../../../pkg/aws/index.ts';
import type { TranslateConfig } from '../../../pkg/translate/index.ts';
import {
  startInProcessReconciler,
  type InProcessReconciler,
} from '../../env/in-process-reconciler.ts';
import { useTestEnv } from '../../env/testenv.ts';
import { eventually, ingress, nodePortService } from '../k8s/helpers.ts';
import { fakeWafRegional } from './waf-regional-fake.ts';

const A = 'alb.ingress.kubernetes.io/';
const HOUR = 3_600_000;
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

describe('load balancer add-ons', () => {
  const testEnv = useTestEnv();
  let ns: string;
  let harness: InProcessReconciler;
  let aws: AwsClients;
  let clock = 1_000_000;
  const signal = new AbortController().signal;
  const acl: Record<'a' | 'b', string> = { a: '', b: '' };
  let lbArn = '';

  async function createAcl(name: string): Promise<string> {
    const out = await aws.wafv2.send(
      new CreateWebACLCommand({
        Name: name,
        Scope: 'REGIONAL',
        DefaultAction: { Allow: {} },
        VisibilityConfig: {
          SampledRequestsEnabled: false,
          CloudWatchMetricsEnabled: false,
          MetricName: name,
        },
      }),
    );
    return out.Summary?.ARN ?? '';
  }

  async function setAnnotations(name: string, annotations: Record<string, string | null>) {
    await harness.net.patchNamespacedIngress(
      { name, namespace: ns, body: { metadata: { annotations } } },
      mergePatch,
    );
    const live = await harness.net.readNamespacedIngress({ name, namespace: ns });
    await eventually(`cache of ${name}`, () =>
      harness.caches.ingresses.get(name, ns)?.metadata?.resourceVersion ===
      live.metadata?.resourceVersion
        ? true
        : undefined,
    );
  }

  async function reconcile(
    reconciler: Reconciler = harness.reconciler,
    key = `${ns}/shop`,
  ): Promise<{ report: ReconcileReport; calls: Record<string, number>; writes: number }> {
    aws.calls.reset();
    const report = await reconciler.reconcile(key, signal);
    const calls: Record<string, number> = {};
    for (const c of aws.calls.snapshot()) {
      calls[`${c.service}:${c.operation}`] = (calls[`${c.service}:${c.operation}`] ?? 0) + c.count;
    }
    return { report, calls, writes: aws.calls.mutatingCalls() };
  }

  const addonCalls = (calls: Record<string, number>): string[] =>
    Object.keys(calls).filter((k) => /^(wafv2|shield|waf-regional):/.test(k));

  async function webAcl(): Promise<string | null> {
    const out = await aws.wafv2.send(new GetWebACLForResourceCommand({ ResourceArn: lbArn }));
    return out.WebACL?.ARN ?? null;
  }

  async function protectedNow(): Promise<boolean> {
    try {
      await aws.shield.send(new DescribeProtectionCommand({ ResourceArn: lbArn }));
      return true;
    } catch (err) {
      if (err instanceof Error && err.name === 'ResourceNotFoundException') return false;
      throw err;
    }
  }

  function reconcilerWith(translate: Partial<TranslateConfig>, clients = aws): Reconciler {
    return new Reconciler({
      caches: harness.caches,
      mapper: harness.mapper,
      networking: harness.net,
      core: harness.core,
      clients,
      vpcId: testEnv.env.world.vpcId,
      watchNamespace: ns,
      translate: { ...harness.translate, ...translate },
    });
  }

  before(async () => {
    const env = testEnv.env;
    await env.resetAws();
    ns = await env.freshNamespace('addons');
    harness = await startInProcessReconciler(env, {
      namespace: ns,
      reconciler: { now: () => clock, fullDiscoveryIntervalMs: HOUR },
    });
    aws = harness.aws;
    acl.a = await createAcl('acl-a');
    acl.b = await createAcl('acl-b');
    await harness.core.createNamespacedService({ namespace: ns, body: nodePortService(ns, 'web') });
    await harness.net.createNamespacedIngress({
      namespace: ns,
      body: ingress(ns, 'shop', {
        services: ['web'],
        annotations: { [`${A}wafv2-acl-arn`]: acl.a, [`${A}shield-advanced-protection`]: 'true' },
      }),
    });
    await setAnnotations('shop', {});
  });
  after(async () => {
    await harness.stop();
  });

  it('associates the web ACL by ARN and protects the new ALB, then costs no add-on call', async () => {
    const first = await reconcile();
    assert.equal(first.report.byChange['create WebAclAssociation'], 1);
    assert.equal(first.report.byChange['create ShieldProtection'], 1);
    const lbs = await aws.elbv2.send(new DescribeLoadBalancersCommand({}));
    lbArn = lbs.LoadBalancers?.[0]?.LoadBalancerArn ?? '';
    assert.equal(await webAcl(), acl.a);
    assert.equal(await protectedNow(), true);
    // AND the settled group is verified: no add-on read, no write
    const second = await reconcile();
    assert.equal(second.report.planned, 0);
    assert.equal(second.writes, 0);
    assert.deepEqual(addonCalls(second.calls), []);
  });

  it('reads each add-on once per full discovery, and writes nothing when it is as wanted', async () => {
    clock += HOUR;
    const full = await reconcile();
    assert.equal(full.report.discovery, 'full');
    assert.equal(full.report.planned, 0);
    assert.equal(full.writes, 0);
    assert.deepEqual(addonCalls(full.calls).sort(), [
      'shield:DescribeProtection',
      'wafv2:GetWebACLForResource',
    ]);
    assert.equal(full.calls['wafv2:GetWebACLForResource'], 1);
    assert.equal(full.calls['shield:DescribeProtection'], 1);
  });

  it('switches to the web ACL named by wafv2-acl-name with one AssociateWebACL', async () => {
    await setAnnotations('shop', { [`${A}wafv2-acl-arn`]: null, [`${A}wafv2-acl-name`]: 'acl-b' });
    const changed = await reconcile();
    assert.deepEqual(changed.report.byChange, { 'update WebAclAssociation': 1 });
    assert.equal(changed.calls['wafv2:ListWebACLs'], 1);
    assert.equal(changed.calls['wafv2:AssociateWebACL'], 1);
    assert.equal(await webAcl(), acl.b);
    const again = await reconcile();
    assert.equal(again.report.planned, 0);
    assert.equal(again.writes, 0);
  });

  it('a web ACL name that does not exist fails the apply with a message naming it', async () => {
    await setAnnotations('shop', { [`${A}wafv2-acl-name`]: 'no-such-acl' });
    await assert.rejects(reconcile(), /wafv2-acl-name 'no-such-acl': no REGIONAL WAFv2 web ACL/);
    assert.equal(await webAcl(), acl.b, 'the association in place stays');
  });

  it("removes the web ACL with 'none' and the protection with 'false'", async () => {
    await setAnnotations('shop', {
      [`${A}wafv2-acl-name`]: 'none',
      [`${A}shield-advanced-protection`]: 'false',
    });
    const removed = await reconcile();
    assert.deepEqual(removed.report.byChange, {
      'delete WebAclAssociation': 1,
      'delete ShieldProtection': 1,
    });
    assert.equal(await webAcl(), null);
    assert.equal(await protectedNow(), false);
    const again = await reconcile();
    assert.equal(again.report.planned, 0);
    assert.equal(again.writes, 0);
  });

  it('leaves alone what it is not told about: absent annotations make no add-on call', async () => {
    await setAnnotations('shop', {
      [`${A}wafv2-acl-name`]: null,
      [`${A}shield-advanced-protection`]: null,
    });
    await aws.wafv2.send(new AssociateWebACLCommand({ WebACLArn: acl.a, ResourceArn: lbArn }));
    clock += HOUR;
    const result = await reconcile();
    assert.equal(result.report.discovery, 'full');
    assert.equal(result.writes, 0);
    assert.deepEqual(addonCalls(result.calls), []);
    assert.equal(await webAcl(), acl.a);
  });

  it('with --enable-wafv2/--enable-shield off, makes no add-on call even when annotated', async () => {
    await setAnnotations('shop', {
      [`${A}wafv2-acl-arn`]: 'none',
      [`${A}shield-advanced-protection`]: 'true',
    });
    const off = reconcilerWith({ addons: { wafv2: false, waf: false, shield: false } });
    const result = await reconcile(off);
    assert.deepEqual(addonCalls(result.calls), []);
    assert.equal(result.writes, 0);
    assert.equal(await webAcl(), acl.a);
    assert.equal(await protectedNow(), false);
  });

  it('associates and removes a classic WAF Regional web ACL (waf-acl-id; injected client)', async () => {
    await setAnnotations('shop', {
      [`${A}wafv2-acl-arn`]: null,
      [`${A}shield-advanced-protection`]: null,
      [`${A}waf-acl-id`]: 'classic-1',
    });
    const fake = fakeWafRegional(testEnv.env.state.region, aws.calls);
    const withFake = reconcilerWith({}, { ...aws, wafRegional: fake.client });
    const set = await reconcile(withFake);
    assert.equal(fake.associations.get(lbArn), 'classic-1');
    assert.equal(set.calls['waf-regional:GetWebACLForResource'], 1);
    assert.equal(set.calls['waf-regional:AssociateWebACL'], 1);
    const settled = await reconcile(withFake);
    assert.equal(settled.report.planned, 0);
    assert.deepEqual(addonCalls(settled.calls), []);
    await setAnnotations('shop', { [`${A}waf-acl-id`]: 'none' });
    const removed = await reconcile(withFake);
    assert.equal(removed.calls['waf-regional:DisassociateWebACL'], 1);
    assert.equal(fake.associations.has(lbArn), false);
    assert.equal(await webAcl(), acl.a, 'WAFv2 untouched');
  });
});
