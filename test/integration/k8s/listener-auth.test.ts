/**
 * Listener authentication live, against the API server and moto: OIDC with its client
 * credentials from a Secret (rotation re-applies the group, an unchanged secret is kept
 * with UseExistingClientSecret, the value never reaches logs, Events, plans or metrics),
 * Cognito with a jwt-validation override on one Service, auth on a plain HTTP listener
 * refused, and each of them a steady state with no write.
 *
 * moto echoes an OIDC ClientSecret in DescribeRules, which AWS never does (see
 * test/env/moto_server.py): these tests read it to check which secret AWS holds.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { RequestCertificateCommand } from '@aws-sdk/client-acm';
import {
  AddTagsCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Action as SdkAction, Rule } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { CoreV1Api, NetworkingV1Api, V1Service } from '@kubernetes/client-node';

import { createLogger } from '../../../controller/log.ts';
import type { Reconciler, ReconcileReport } from '../../../controller/reconciler.ts';
import { renderPlanJson } from '../../../pkg/cli/render-json.ts';
import { renderPlanText } from '../../../pkg/cli/render-text.ts';
import { isMutating } from '../../../pkg/aws/index.ts';
import type { AwsClients } from '../../../pkg/aws/index.ts';
import { discoverStack } from '../../../pkg/deploy/index.ts';
import { groupIngresses } from '../../../pkg/ingress/index.ts';
import type { ClusterCaches } from '../../../pkg/k8s/index.ts';
import { groupWorkKey } from '../../../pkg/k8s/work-keys.ts';
import { planChanges } from '../../../pkg/plan/index.ts';
import { buildStack, type TranslateConfig } from '../../../pkg/translate/index.ts';
import {
  startInProcessReconciler,
  type InProcessReconciler,
} from '../../env/in-process-reconciler.ts';
import { useTestEnv } from '../../env/testenv.ts';
import { eventually, ingress, nodePortService } from './helpers.ts';

const A = 'alb.ingress.kubernetes.io/';
const SECRET_1 = 'first-secret-Q7xv9e2LmW';
const SECRET_2 = 'rotated-secret-Zp4kT8rN1c';
const DIGEST_TAG = 'albatross.dev/auth-secret-digest';

const oidcIdp = (secretName: string) =>
  JSON.stringify({
    issuer: 'https://idp.example.com',
    authorizationEndpoint: 'https://idp.example.com/authorize',
    tokenEndpoint: 'https://idp.example.com/token',
    userInfoEndpoint: 'https://idp.example.com/userinfo',
    secretName,
  });
const cognitoIdp = JSON.stringify({
  userPoolARN: 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc',
  userPoolClientID: 'client-1',
  userPoolDomain: 'auth.example.com',
});
const jwt = JSON.stringify({
  issuer: 'https://issuer.example.com',
  jwksEndpoint: 'https://issuer.example.com/.well-known/jwks.json',
  additionalClaims: [{ format: 'single-string', name: 'aud', values: ['api'] }],
});

describe('listener authentication', () => {
  const testEnv = useTestEnv();
  let ns: string;
  let net: NetworkingV1Api;
  let core: CoreV1Api;
  let aws: AwsClients;
  let caches: ClusterCaches;
  let reconciler: Reconciler;
  let translate: TranslateConfig;
  let harness: InProcessReconciler;
  let https: Record<string, string>;
  const enqueued: string[] = [];
  const logLines: string[] = [];
  const signal = new AbortController().signal;
  /** Inputs of the rule writes, as the SDK sent them. */
  const ruleWrites: { command: string; input: Record<string, unknown> }[] = [];

  before(async () => {
    const env = testEnv.env;
    await env.resetAws();
    ns = await env.freshNamespace('auth');
    harness = await startInProcessReconciler(env, {
      namespace: ns,
      enqueue: (key) => enqueued.push(key),
      reconciler: {
        log: createLogger({ level: 'debug', write: (line) => logLines.push(line) }),
      },
    });
    ({ net, core, aws, caches, reconciler, translate } = harness);
    // Observes what was sent (nothing is changed): the only way to see a secret on the wire.
    aws.elbv2.middlewareStack.add(
      (next, context) => async (args) => {
        const command = context.commandName ?? '';
        if (/^(Create|Modify)(Rule|Listener)Command$/.test(command)) {
          ruleWrites.push({
            command,
            input: structuredClone(args.input) as Record<string, unknown>,
          });
        }
        return next(args);
      },
      { step: 'initialize', name: 'observeRuleWrites' },
    );
    const cert = await env.aws.acm.send(
      new RequestCertificateCommand({ DomainName: 'app.example.com' }),
    );
    https = {
      [`${A}listen-ports`]: '[{"HTTP":80},{"HTTPS":443}]',
      [`${A}certificate-arn`]: cert.CertificateArn ?? '',
      [`${A}ssl-redirect`]: '443',
    };
    await core.createNamespacedService({ namespace: ns, body: nodePortService(ns, 'web') });
    const api: V1Service = nodePortService(ns, 'api');
    api.metadata = {
      name: 'api',
      namespace: ns,
      annotations: { [`${A}auth-type`]: 'none', [`${A}jwt-validation`]: jwt },
    };
    await core.createNamespacedService({ namespace: ns, body: api });
  });
  after(async () => {
    await harness.stop();
  });

  async function putSecret(name: string, data: Record<string, string>): Promise<void> {
    const body = { metadata: { name, namespace: ns }, stringData: data };
    try {
      await core.replaceNamespacedSecret({ name, namespace: ns, body });
    } catch {
      await core.createNamespacedSecret({ namespace: ns, body });
    }
    const live = await core.readNamespacedSecret({ name, namespace: ns });
    // Only a Secret some group names is watched (and so cached).
    if (!caches.secrets.watched().includes(`${ns}/${name}`)) return;
    await eventually(`cache of Secret ${name}`, () =>
      caches.secrets.get(name, ns)?.metadata?.resourceVersion === live.metadata?.resourceVersion
        ? true
        : undefined,
    );
  }

  async function putIngress(
    name: string,
    annotations: Record<string, string>,
    services: readonly string[] = ['web'],
  ): Promise<void> {
    const body = ingress(ns, name, { services, annotations, path: '/app' });
    try {
      const old = await net.readNamespacedIngress({ name, namespace: ns });
      if (body.metadata !== undefined) {
        body.metadata.resourceVersion = old.metadata?.resourceVersion ?? '';
      }
      await net.replaceNamespacedIngress({ name, namespace: ns, body });
    } catch {
      await net.createNamespacedIngress({ namespace: ns, body });
    }
    const live = await net.readNamespacedIngress({ name, namespace: ns });
    await eventually(`cache of Ingress ${name}`, () =>
      caches.ingresses.get(name, ns)?.metadata?.resourceVersion === live.metadata?.resourceVersion
        ? true
        : undefined,
    );
  }

  /**
   * A reconcile, then a second one through `process` (which writes the log line the
   * redaction test reads), with the writes of both: a second pass that wrote anything
   * would show in the counts.
   */
  async function reconcile(name: string): Promise<{
    report: ReconcileReport;
    writes: Record<string, number>;
  }> {
    aws.calls.reset();
    const report = await reconciler.reconcile(`${ns}/${name}`, signal);
    await reconciler.process(groupWorkKey(`${ns}/${name}`), signal);
    const writes: Record<string, number> = {};
    for (const c of aws.calls.snapshot()) {
      if (isMutating(c.operation)) writes[c.operation] = (writes[c.operation] ?? 0) + c.count;
    }
    return { report, writes };
  }

  async function steady(name: string): Promise<void> {
    const again = await reconcile(name);
    assert.equal(again.report.discovery, 'verified', 'the cheap check confirms the stack');
    assert.equal(again.report.planned, 0, `second reconcile of ${name} plans nothing`);
    assert.deepEqual(again.writes, {}, `second reconcile of ${name} writes nothing`);
  }

  async function listenersOf(name: string) {
    const lbs = (await aws.elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
    const tags = await aws.elbv2.send(
      new DescribeTagsCommand({ ResourceArns: lbs.map((lb) => lb.LoadBalancerArn ?? '') }),
    );
    const arn = tags.TagDescriptions?.find((d) =>
      d.Tags?.some((t) => t.Key === 'albatross.dev/stack' && t.Value === `${ns}/${name}`),
    )?.ResourceArn;
    if (arn === undefined) return undefined;
    return (await aws.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: arn }))).Listeners;
  }

  async function rulesOn(name: string, port: number): Promise<Rule[]> {
    const listener = (await listenersOf(name))?.find((l) => l.Port === port);
    assert.ok(listener?.ListenerArn !== undefined, `listener ${port} of ${name}`);
    const rules = await aws.elbv2.send(
      new DescribeRulesCommand({ ListenerArn: listener.ListenerArn }),
    );
    return (rules.Rules ?? []).filter((r) => r.IsDefault !== true);
  }

  async function tagsOf(arn: string): Promise<Record<string, string>> {
    const found = await aws.elbv2.send(new DescribeTagsCommand({ ResourceArns: [arn] }));
    return Object.fromEntries(
      (found.TagDescriptions?.[0]?.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']),
    );
  }

  const types = (actions: readonly SdkAction[] | undefined) =>
    [...(actions ?? [])].sort((a, b) => (a.Order ?? 0) - (b.Order ?? 0)).map((a) => a.Type);

  async function warnings(name: string): Promise<string[]> {
    const events = await core.listNamespacedEvent({ namespace: ns });
    return events.items
      .filter((e) => e.type === 'Warning' && e.involvedObject.name === name)
      .map((e) => e.message ?? '');
  }

  it('OIDC: the client credentials come from the Secret, the auth action runs first, and a second reconcile writes nothing', async () => {
    // GIVEN a Secret with clientID and clientSecret, and an HTTPS Ingress with auth-type oidc
    await putSecret('oidc-client', { clientID: 'client-abc ', clientSecret: SECRET_1 });
    await putIngress('oidc', {
      ...https,
      [`${A}auth-type`]: 'oidc',
      [`${A}auth-idp-oidc`]: oidcIdp('oidc-client'),
    });
    // WHEN it is reconciled
    const first = await reconcile('oidc');
    // THEN the HTTPS rule authenticates with the Secret's credentials, then forwards
    assert.ok(first.report.dnsName !== null);
    const [rule] = await rulesOn('oidc', 443);
    assert.deepEqual(types(rule?.Actions), ['authenticate-oidc', 'forward']);
    const oidc = rule?.Actions?.find((a) => a.Type === 'authenticate-oidc')?.AuthenticateOidcConfig;
    assert.equal(oidc?.ClientId, 'client-abc');
    assert.equal(oidc.ClientSecret, SECRET_1);
    assert.equal(oidc.Scope, 'openid');
    assert.equal(oidc.OnUnauthenticatedRequest, 'authenticate');
    assert.match(
      (await tagsOf(rule?.RuleArn ?? ''))[DIGEST_TAG] ?? '',
      /^hmac-sha256:[0-9a-f]{32}$/,
    );
    // AND the HTTP listener only redirects
    assert.deepEqual(await rulesOn('oidc', 80), []);
    // AND AWS returning no secret does not make the planner rewrite the rule
    await steady('oidc');
  });

  it('OIDC: a rotated Secret re-applies the group with the new secret, then settles', async () => {
    // GIVEN the group applied with the first secret
    enqueued.length = 0;
    // WHEN the Secret's clientSecret changes
    await putSecret('oidc-client', { clientID: 'client-abc', clientSecret: SECRET_2 });
    // THEN the group is queued, and its reconcile sends the new secret to AWS
    assert.ok(enqueued.includes(groupWorkKey(`${ns}/oidc`)), `enqueued: ${enqueued.join(', ')}`);
    const before = (await rulesOn('oidc', 443))[0];
    const digestBefore = (await tagsOf(before?.RuleArn ?? ''))[DIGEST_TAG];
    const rotated = await reconcile('oidc');
    assert.equal(rotated.writes.ModifyRule, 1);
    const [rule] = await rulesOn('oidc', 443);
    assert.equal(rule?.RuleArn, before?.RuleArn, 'modified in place');
    const oidc = rule?.Actions?.find((a) => a.Type === 'authenticate-oidc')?.AuthenticateOidcConfig;
    assert.equal(oidc?.ClientSecret, SECRET_2);
    assert.notEqual((await tagsOf(rule?.RuleArn ?? ''))[DIGEST_TAG], digestBefore);
    await steady('oidc');
  });

  it('OIDC: another change to the rule keeps the secret AWS has (UseExistingClientSecret), sending no secret', async () => {
    // GIVEN the group applied with the rotated secret
    ruleWrites.length = 0;
    // WHEN only the scope changes
    await putIngress('oidc', {
      ...https,
      [`${A}auth-type`]: 'oidc',
      [`${A}auth-idp-oidc`]: oidcIdp('oidc-client'),
      [`${A}auth-scope`]: 'openid email',
    });
    const changed = await reconcile('oidc');
    // THEN the rule is modified with UseExistingClientSecret and no secret on the wire
    assert.equal(changed.writes.ModifyRule, 1);
    const sent = ruleWrites.find((w) => w.command === 'ModifyRuleCommand');
    const actions = (sent?.input.Actions ?? []) as SdkAction[];
    const oidcSent = actions.find((a) => a.Type === 'authenticate-oidc')?.AuthenticateOidcConfig;
    assert.equal(oidcSent?.UseExistingClientSecret, true);
    assert.equal(oidcSent.ClientSecret, undefined);
    // AND AWS still holds the rotated secret, with the new scope
    const [rule] = await rulesOn('oidc', 443);
    const oidc = rule?.Actions?.find((a) => a.Type === 'authenticate-oidc')?.AuthenticateOidcConfig;
    assert.equal(oidc?.Scope, 'openid email');
    assert.equal(oidc.ClientSecret, SECRET_2);
    await steady('oidc');
  });

  it('OIDC: a missing Secret key is a problem naming the Secret and key; adding it applies the Ingress', async () => {
    // GIVEN a Secret without clientSecret, named by a new Ingress
    await putSecret('half-secret', { clientID: 'client-half' });
    await putIngress('half', {
      ...https,
      [`${A}auth-type`]: 'oidc',
      [`${A}auth-idp-oidc`]: oidcIdp('half-secret'),
    });
    // WHEN it is reconciled
    const first = await reconcile('half');
    // THEN it is frozen with a Warning naming the Secret and the key, and nothing is created
    assert.deepEqual(first.report.frozen, [`${ns}/half`]);
    assert.equal(await listenersOf('half'), undefined);
    const messages = await eventually('warning on half', async () => {
      const found = await warnings('half');
      return found.some((m) => m.includes(`Secret ${ns}/half-secret has no key clientSecret`))
        ? found
        : undefined;
    });
    assert.ok(messages.length > 0);
    // WHEN the key is added
    enqueued.length = 0;
    await putSecret('half-secret', { clientID: 'client-half', clientSecret: SECRET_1 });
    // THEN the group is queued and applied
    assert.ok(enqueued.includes(groupWorkKey(`${ns}/half`)));
    const applied = await reconcile('half');
    assert.deepEqual(applied.report.frozen, []);
    assert.deepEqual(types((await rulesOn('half', 443))[0]?.Actions), [
      'authenticate-oidc',
      'forward',
    ]);
    await steady('half');
  });

  it('the secret value appears in no log line, Event, plan, discovered stack or metric', async () => {
    // GIVEN everything above applied (both secrets went to AWS at some point)
    const groups = groupIngresses(caches.ingressList(), caches.ingressClassMap(), translate);
    const env = {
      services: caches.serviceMap(),
      endpointSlices: caches.endpointSlicesByService(),
      nodes: caches.nodeList(),
      ingressClasses: caches.ingressClassMap(),
      oidcClients: caches.oidcSecrets().clients(),
      subnets: undefined,
    };
    const built = groups.map((g) => buildStack(g, env, translate));
    const report = {
      stacks: built.map((b) => b.stack),
      changes: built.flatMap((b) =>
        planChanges(b.stack, null).map((c) => ({ ...c, stack: b.stack.id })),
      ),
      problems: built.flatMap((b) => b.problems),
      notes: [],
    };
    const ctx = {
      clusterName: translate.clusterName,
      vpcId: testEnv.env.world.vpcId,
      clients: aws,
    };
    const discovered = await discoverStack(ctx, `${ns}/oidc`);
    const events = await core.listNamespacedEvent({ namespace: ns });
    const outputs = {
      logs: logLines.join(''),
      events: JSON.stringify(events.items),
      planText: renderPlanText(report),
      planJson: renderPlanJson(report),
      discovered: JSON.stringify(discovered),
      metrics: JSON.stringify(aws.calls.snapshot()),
      cachedDigestsOnly: JSON.stringify([...caches.oidcSecrets().clients()]),
    };
    // THEN the plan names the Secret, and none of the outputs holds either secret
    assert.match(
      outputs.planText,
      new RegExp(`<from Secret ${ns}/oidc-client key clientSecret, hmac-sha256:[0-9a-f]{32}>`),
    );
    assert.ok(logLines.length > 0);
    for (const [what, text] of Object.entries(outputs)) {
      for (const secret of [SECRET_1, SECRET_2]) {
        assert.ok(!text.includes(secret), `${what} holds a secret value`);
        assert.ok(
          !text.includes(Buffer.from(secret).toString('base64')),
          `${what} holds it in base64`,
        );
      }
    }
  });

  it('OIDC: only the Secrets Ingresses name are watched, each by name; the many others are never read', async () => {
    // GIVEN many Secrets nobody names (Helm release Secrets, say) beside the OIDC ones
    for (let i = 0; i < 40; i++) {
      await core.createNamespacedSecret({
        namespace: ns,
        body: {
          metadata: { name: `sh.helm.release.v1.app.v${String(i)}`, namespace: ns },
          type: 'helm.sh/release.v1',
          stringData: { release: 'x'.repeat(2048), clientSecret: 'not-an-oidc-secret' },
        },
      });
    }
    // WHEN the groups naming OIDC Secrets are reconciled again
    await reconcile('oidc');
    await reconcile('half');
    // THEN exactly the named Secrets are watched and cached, nothing else
    assert.deepEqual(caches.secrets.watched(), [`${ns}/half-secret`, `${ns}/oidc-client`]);
    assert.deepEqual(
      caches.secrets
        .list()
        .map((s) => s.metadata?.name)
        .sort(),
      ['half-secret', 'oidc-client'],
    );
    assert.deepEqual([...caches.oidcSecrets().clients().keys()].sort(), [
      `${ns}/half-secret`,
      `${ns}/oidc-client`,
    ]);
    // WHEN the Ingress naming half-secret goes
    await net.deleteNamespacedIngress({ name: 'half', namespace: ns });
    await eventually('deletion cached', () =>
      caches.ingresses.get('half', ns)?.metadata?.deletionTimestamp !== undefined
        ? true
        : caches.ingresses.get('half', ns) === undefined
          ? true
          : undefined,
    );
    await reconciler.reconcile(`${ns}/half`, signal);
    // THEN its Secret is no longer watched
    assert.deepEqual(caches.secrets.watched(), [`${ns}/oidc-client`]);
    // AND a rotation of the Secret still named re-applies its rule (the watch by name)
    enqueued.length = 0;
    await putSecret('oidc-client', { clientID: 'client-abc', clientSecret: SECRET_1 });
    await eventually('group queued', () =>
      enqueued.includes(groupWorkKey(`${ns}/oidc`)) ? true : undefined,
    );
    await reconcile('oidc');
    const oidc = (await rulesOn('oidc', 443))[0]?.Actions?.find(
      (a) => a.Type === 'authenticate-oidc',
    )?.AuthenticateOidcConfig;
    assert.equal(oidc?.ClientSecret, SECRET_1);
    await steady('oidc');
  });

  it('OIDC: replicas share the cluster key; a rule tagged by an older release (unkeyed digest) gets its secret sent once, then settles', async () => {
    const env = testEnv.env;
    const [rule] = await rulesOn('oidc', 443);
    const ruleArn = rule?.RuleArn ?? '';
    const keyed = (await tagsOf(ruleArn))[DIGEST_TAG];
    assert.match(keyed ?? '', /^hmac-sha256:[0-9a-f]{32}$/);
    // GIVEN another replica (its own caches, no discovery memory) reading the same key Secret
    const replica = await startInProcessReconciler(env, { namespace: ns });
    try {
      // WHEN it reconciles the group THEN its digests are the same: nothing to change
      const same = await replica.reconciler.reconcile(`${ns}/oidc`, signal);
      assert.equal(same.planned, 0);
      // GIVEN the rule tagged as an older release did: the unkeyed SHA-256 of the secret
      const unkeyed = `sha256:${createHash('sha256').update(SECRET_1).digest('hex').slice(0, 16)}`;
      await aws.elbv2.send(
        new AddTagsCommand({
          ResourceArns: [ruleArn],
          Tags: [{ Key: DIGEST_TAG, Value: unkeyed }],
        }),
      );
      const upgraded = await startInProcessReconciler(env, { namespace: ns });
      try {
        // WHEN the upgraded controller first reconciles it
        upgraded.aws.calls.reset();
        await upgraded.reconciler.reconcile(`${ns}/oidc`, signal);
        const written = upgraded.aws.calls
          .snapshot()
          .filter((c) => isMutating(c.operation))
          .map((c) => c.operation)
          .sort();
        // THEN the rule is modified in place once, re-sending the same secret, and re-tagged
        assert.deepEqual(written, ['AddTags', 'ModifyRule']);
        const after = (await rulesOn('oidc', 443))[0];
        assert.equal(after?.RuleArn, ruleArn, 'the same rule, never replaced');
        const oidc = after.Actions?.find((a) => a.Type === 'authenticate-oidc');
        assert.equal(oidc?.AuthenticateOidcConfig?.ClientSecret, SECRET_1);
        assert.equal((await tagsOf(ruleArn))[DIGEST_TAG], keyed);
        // AND the next reconcile writes nothing
        upgraded.aws.calls.reset();
        const again = await upgraded.reconciler.reconcile(`${ns}/oidc`, signal);
        assert.equal(again.planned, 0);
      } finally {
        await upgraded.stop();
      }
    } finally {
      await replica.stop();
    }
  });

  it('Cognito on HTTPS, with a Service that overrides it by jwt-validation; both settle', async () => {
    // GIVEN an Ingress with auth-type cognito, routing to web and to api (whose Service
    // says auth-type none and jwt-validation)
    await putIngress(
      'cognito',
      {
        ...https,
        [`${A}auth-type`]: 'cognito',
        [`${A}auth-idp-cognito`]: cognitoIdp,
        [`${A}auth-on-unauthenticated-request`]: 'deny',
      },
      ['web', 'api'],
    );
    // WHEN reconciled
    const first = await reconcile('cognito');
    assert.deepEqual(first.report.frozen, []);
    // THEN web's rule authenticates with Cognito, api's validates JWTs, each before forwarding
    const rules = await rulesOn('cognito', 443);
    const isApi = (r: Rule) =>
      r.Conditions?.some((c) => c.PathPatternConfig?.Values?.includes('/app/api')) === true;
    const api = rules.find(isApi);
    const web = rules.find((r) => !isApi(r));
    assert.deepEqual(types(web?.Actions), ['authenticate-cognito', 'forward']);
    const cognito = web?.Actions?.find((a) => a.Type === 'authenticate-cognito');
    assert.equal(cognito?.AuthenticateCognitoConfig?.OnUnauthenticatedRequest, 'deny');
    assert.deepEqual(types(api?.Actions), ['jwt-validation', 'forward']);
    const jwtConfig = api?.Actions?.find((a) => a.Type === 'jwt-validation')?.JwtValidationConfig;
    assert.equal(jwtConfig?.Issuer, 'https://issuer.example.com');
    assert.deepEqual(jwtConfig.AdditionalClaims?.[0]?.Values, ['api']);
    await steady('cognito');
  });

  it('auth on an Ingress whose rules serve on plain HTTP is refused with a Warning, nothing created', async () => {
    // GIVEN auth-type cognito on an HTTP-only Ingress
    await putIngress('plain', {
      [`${A}auth-type`]: 'cognito',
      [`${A}auth-idp-cognito`]: cognitoIdp,
    });
    // WHEN reconciled
    const first = await reconcile('plain');
    // THEN it is frozen, nothing exists for it, and the Warning says why
    assert.deepEqual(first.report.frozen, [`${ns}/plain`]);
    assert.equal(await listenersOf('plain'), undefined);
    const found = await eventually('warning on plain', async () => {
      const w = await warnings('plain');
      return w.some((m) => m.includes('HTTPS listeners only')) ? w : undefined;
    });
    assert.ok(found.some((m) => m.includes('auth-type')));
  });
});
