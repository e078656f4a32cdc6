import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { reviewPod } from '../../../controller/webhook/admission.ts';
import { renewalReason, servingSans } from '../../../controller/webhook/cert-rotation.ts';
import { createLogger } from '../../../controller/log.ts';

const lines: string[] = [];
const log = createLogger({ level: 'debug', write: (l) => lines.push(l) });
const DAY = 24 * 3600 * 1000;

function review(object: unknown, extra: Record<string, unknown> = {}): unknown {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'u-1',
      kind: { group: '', version: 'v1', kind: 'Pod' },
      operation: 'CREATE',
      namespace: 'shop',
      object,
      ...extra,
    },
  };
}

function patchOf(out: ReturnType<typeof reviewPod>): unknown {
  const p = out.response.patch;
  return p === undefined ? undefined : JSON.parse(Buffer.from(p, 'base64').toString('utf8'));
}

describe('webhook: one AdmissionReview', () => {
  it('GIVEN a pod that target groups route to THEN allowed with a JSONPatch adding the gates', () => {
    let seen: V1Pod | undefined;
    const out = reviewPod(
      review({ metadata: { generateName: 'web-', labels: { app: 'web' } }, spec: {} }),
      (p) => {
        seen = p;
        return ['target-health.elbv2.k8s.aws/k8s-shop-web-0123456789'];
      },
      log,
    );
    assert.equal(out.response.uid, 'u-1');
    assert.equal(out.response.allowed, true);
    assert.equal(out.response.patchType, 'JSONPatch');
    assert.deepEqual(patchOf(out), [
      {
        op: 'add',
        path: '/spec/readinessGates',
        value: [{ conditionType: 'target-health.elbv2.k8s.aws/k8s-shop-web-0123456789' }],
      },
      { op: 'add', path: '/metadata/labels/albatross.dev~1readiness-gates', value: 'injected' },
    ]);
    // The namespace comes from the request: a new pod's object may not carry one.
    assert.equal(seen?.metadata?.namespace, 'shop');
  });

  it('GIVEN no gate for the pod THEN allowed without a patch', () => {
    const out = reviewPod(review({ metadata: { name: 'p' } }), () => [], log);
    assert.deepEqual(out.response, { uid: 'u-1', allowed: true });
  });

  it('GIVEN our lookup throws THEN the pod is still allowed, unchanged, and the failure logged', () => {
    lines.length = 0;
    const out = reviewPod(
      review({ metadata: { name: 'p' } }),
      () => {
        throw new Error('cache exploded');
      },
      log,
    );
    assert.deepEqual(out.response, { uid: 'u-1', allowed: true });
    assert.match(lines.join(''), /cache exploded/);
  });

  it('GIVEN an update, another kind or garbage THEN allowed without a patch', () => {
    const gates = (): string[] => ['target-health.elbv2.k8s.aws/x'];
    assert.equal(
      reviewPod(review({}, { operation: 'UPDATE' }), gates, log).response.patch,
      undefined,
    );
    assert.equal(
      reviewPod(review({}, { kind: { kind: 'Service' } }), gates, log).response.patch,
      undefined,
    );
    assert.deepEqual(reviewPod('nonsense', gates, log).response, { uid: '', allowed: true });
  });
});

describe('webhook: when the self-managed certificate is renewed', () => {
  const now = Date.UTC(2026, 0, 1);
  const sans = servingSans('albatross-webhook', 'kube-system', ['127.0.0.1']);
  const cert = (notBefore: number, days: number, names = sans) => ({
    notBefore,
    notAfter: notBefore + days * DAY,
    sans: names,
  });

  it('GIVEN the service and namespace THEN both service DNS names and the extra ones', () => {
    assert.deepEqual(sans, [
      'albatross-webhook.kube-system.svc',
      'albatross-webhook.kube-system.svc.cluster.local',
      '127.0.0.1',
    ]);
  });

  const cases: readonly [string, ReturnType<typeof cert>, string | undefined][] = [
    ['fresh', cert(now - DAY, 365), undefined],
    ['just under two thirds', cert(now - 243 * DAY, 365), undefined],
    ['past two thirds', cert(now - 244 * DAY, 365), 'two thirds of its validity passed'],
    ['expired', cert(now - 400 * DAY, 365), 'expired'],
    ['not valid yet', cert(now + DAY, 365), 'not valid yet'],
    ['missing a name', cert(now - DAY, 365, sans.slice(0, 2)), 'does not cover 127.0.0.1'],
    [
      'names in another case',
      cert(
        now - DAY,
        365,
        sans.map((s) => s.toUpperCase()),
      ),
      undefined,
    ],
  ];
  for (const [name, facts, why] of cases) {
    it(`GIVEN a certificate ${name} THEN ${why ?? 'kept'}`, () => {
      assert.equal(renewalReason(facts, sans, now), why);
    });
  }
});
