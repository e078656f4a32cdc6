/**
 * `albatross plan` offline, with the real pure core: an HTTPS Ingress without a
 * certificate shows the hosts its certificates will be discovered for, with no problem,
 * and the add-ons appear in the stack and as planned steps.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultPlanCore } from '../../../pkg/cli/core.ts';
import { runPlan } from '../../../pkg/cli/index.ts';
import { captureIo } from './cli-io.ts';

const manifest = `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
  annotations:
    alb.ingress.kubernetes.io/listen-ports: '[{"HTTPS":443}]'
    alb.ingress.kubernetes.io/wafv2-acl-name: shop-acl
    alb.ingress.kubernetes.io/shield-advanced-protection: 'true'
spec:
  ingressClassName: alb
  tls:
    - hosts: [www.example.com]
  rules:
    - host: shop.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: web
                port:
                  number: 80
`;

async function plan(argv: readonly string[]) {
  const io = captureIo({ stdin: manifest, tty: false });
  const code = await runPlan(argv, io, defaultPlanCore);
  return { code, out: io.out(), err: io.err() };
}

describe('albatross plan: certificate discovery and add-ons', () => {
  it('GIVEN an HTTPS Ingress without certificate-arn THEN the text shows the hosts to discover for and exit 0', async () => {
    const { code, out } = await plan(['-f', '-', '--output', 'text']);
    assert.equal(code, 0);
    assert.match(
      out,
      /Listener HTTPS:443 {2}certificates to be discovered in ACM for hosts shop\.example\.com, www\.example\.com/,
    );
    assert.match(out, /add-ons: WAFv2 web ACL named shop-acl; Shield Advanced on/);
    assert.match(out, /create WebAclAssociation LoadBalancer/);
    assert.match(out, /create ShieldProtection LoadBalancer/);
    assert.doesNotMatch(out, /certificate-arn/);
  });

  it('GIVEN --output json THEN the listener carries certificateDiscovery and the stack its add-ons', async () => {
    const { code, out } = await plan(['-f', '-', '--output', 'json']);
    assert.equal(code, 0);
    const parsed = JSON.parse(out) as {
      stacks: { listeners: { certificateDiscovery?: unknown }[]; addons?: unknown }[];
      problems: { field: string; severity: string }[];
    };
    // Only the missing Service (no Service in the input) is reported, and not as an error.
    assert.deepEqual(
      parsed.problems.map((p) => [p.field, p.severity]),
      [['spec.rules[0].http.paths[0].backend.service.name', 'warning']],
    );
    assert.deepEqual(parsed.stacks[0]?.listeners[0]?.certificateDiscovery, {
      hosts: ['shop.example.com', 'www.example.com'],
      resolved: false,
    });
    assert.deepEqual(
      parsed.stacks.map((s) => s.addons),
      [{ wafv2: { kind: 'name', name: 'shop-acl' }, shieldAdvanced: true }],
    );
  });
});
