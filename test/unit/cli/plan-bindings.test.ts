/**
 * `albatross plan` with TargetGroupBindings in the manifests: per binding the target
 * group it names (not ours), its targets from the Service, EndpointSlices and Nodes, the
 * networking rules it adds; a bad spec or a missing Service is a problem on the binding.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildInventory, planInventory, readSources, runPlan } from '../../../pkg/cli/index.ts';
import { defaultPlanCore } from '../../../pkg/cli/core.ts';
import { defaultTranslateConfig } from '../../../pkg/translate/index.ts';
import { assertGolden } from '../translate/golden.ts';
import { captureIo } from './cli-io.ts';

const FIXTURE = join(import.meta.dirname, 'fixtures/bindings');
const config = { ...defaultTranslateConfig, clusterName: 'default' };

async function report(keep: (kind: string) => boolean = () => true) {
  const sources = await readSources([FIXTURE], captureIo());
  assert.ok(sources.ok);
  const documents = sources.documents.filter((d) => keep(String(d.object.kind)));
  return planInventory(buildInventory(documents), config, defaultPlanCore);
}

describe('albatross plan with TargetGroupBindings', () => {
  it('GIVEN an ip binding, an instance binding with nodeSelector and two bad ones THEN the golden plan', async () => {
    const { bindings, problems } = await report();
    assertGolden('cli-target-group-bindings', { bindings, problems });
    // ip: the ready endpoints only, on the endpoints' port; the named port resolves to it
    const ip = bindings?.find((b) => b.binding === 'shop/web-ip');
    assert.deepEqual(
      ip?.targets?.map((t) => `${t.id}:${t.port}`),
      ['10.0.1.10:8080', '10.0.2.12:8080'],
    );
    assert.deepEqual(ip.rules, [
      { protocol: 'tcp', fromPort: 8080, toPort: 8080, sourceGroupId: 'sg-0lb' },
    ]);
    // instance: only the node the selector picks, on the NodePort
    const nodes = bindings?.find((b) => b.binding === 'shop/web-nodes');
    assert.deepEqual(nodes?.targets, [{ id: 'i-0aaa', port: 30080 }]);
    // the bad spec and the missing Service are errors naming the field; neither is planned
    assert.deepEqual(
      problems.map((p) => [p.ingress, p.field, p.value]),
      [
        ['TargetGroupBinding shop/broken', 'spec.targetType', 'lambda'],
        ['TargetGroupBinding shop/orphan', 'spec.serviceRef.name', 'gone'],
      ],
    );
  });

  it('GIVEN no EndpointSlices or Nodes THEN the targets are unknown, not none', async () => {
    const { bindings } = await report((kind) => kind !== 'EndpointSlice' && kind !== 'Node');
    assert.deepEqual(
      bindings?.map((b) => [b.binding, b.targets, b.rules === null]),
      [
        ['shop/web-ip', null, true],
        ['shop/web-nodes', null, false],
      ],
    );
  });

  it('shows the bindings in the text and the JSON output, and fails on the bad ones', async () => {
    const text = captureIo({ tty: true });
    assert.equal(await runPlan(['-f', FIXTURE, '-o', 'text'], text, defaultPlanCore), 1);
    const out = text.out();
    assert.match(out, /TargetGroupBinding shop\/web-ip {2}ip {2}← shop\/web:80/);
    assert.match(out, /target group: web-nodes \(not managed by Albatross: only its targets\)/);
    assert.match(out, /targets: 10\.0\.1\.10:8080, 10\.0\.2\.12:8080/);
    assert.match(out, /networking rules: tcp\/30080 from 10\.0\.0\.0\/16/);
    assert.match(out, /TargetGroupBinding shop\/broken {2}spec\.targetType: "lambda"/);
    const json = captureIo();
    await runPlan(['-f', FIXTURE, '-o', 'json'], json, defaultPlanCore);
    const parsed = JSON.parse(json.out()) as {
      targetGroupBindings: { binding: string; managed: boolean; targets: unknown[] }[];
    };
    assert.deepEqual(
      parsed.targetGroupBindings.map((b) => [b.binding, b.managed, b.targets.length]),
      [
        ['shop/web-ip', false, 2],
        ['shop/web-nodes', false, 1],
      ],
    );
  });
});
