import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runPlan } from '../../../pkg/cli/index.ts';
import { defaultPlanCore } from '../../../pkg/cli/core.ts';
import { captureIo } from './cli-io.ts';
import { webManifests } from './web-manifests.ts';

const manifests = webManifests(`
    alb.ingress.kubernetes.io/target-group-attributes: stickiness.enabled=true,stickiness.lb_cookie.duration_seconds=600,deregistration_delay.timeout_seconds=30
    alb.ingress.kubernetes.io/tags: team=web,cost-center=42
    alb.ingress.kubernetes.io/backend-protocol-version: HTTP2
    alb.ingress.kubernetes.io/healthcheck-timeout-seconds: '7'
    alb.ingress.kubernetes.io/healthy-threshold-count: '3'`);

describe('albatross plan --output text: target groups', () => {
  it('GIVEN target-group-attributes, tags, backend-protocol-version and health-check settings THEN the text plan shows each', async () => {
    const io = captureIo({ stdin: manifests });
    const code = await runPlan(
      ['-f', '-', '-o', 'text', '--cluster-name', 'prod'],
      io,
      defaultPlanCore,
    );
    assert.equal(code, 0, io.out());
    const lines = io.out().split('\n');
    const start = lines.findIndex((l) => l.startsWith('  TargetGroup '));
    assert.deepEqual(lines.slice(start, start + 4), [
      '  TargetGroup k8s-default-web-da93f6bc4f  instance HTTP:30080 HTTP2 ipv4  ← default/web:80',
      '    health check: HTTP traffic-port / every 15s, timeout 7s, healthy after 3, unhealthy after 2, codes 200',
      '    attributes: stickiness.enabled=true, stickiness.lb_cookie.duration_seconds=600, deregistration_delay.timeout_seconds=30',
      '    targets: unknown (no Nodes or EndpointSlices in the input)',
    ]);
    assert.ok(
      lines.includes(
        '  tags on every resource: albatross.dev/cluster=prod, albatross.dev/stack=default/web, cost-center=42, team=web, albatross.dev/resource=<its id in Changes>',
      ),
      io.out(),
    );
    assert.ok(
      lines.includes(
        "  backend access: tcp/30000-32767 from the shared backend group into the targets' security group (found at apply)",
      ),
      io.out(),
    );
  });
});
