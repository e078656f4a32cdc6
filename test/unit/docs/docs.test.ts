/**
 * The operator docs (docs/*.md) state only what the code does: every flag, metric and
 * Event reason they name exists, every metric and reason the code has is documented, and
 * the migration guide's example, run through `albatross plan`, prints what the guide
 * shows.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { CONTROLLER_HELP } from '../../../controller/config.ts';
import { UNGATED_POD_REASON } from '../../../controller/readiness/ungated-pods.ts';
import { EventReasons } from '../../../controller/reconciler.ts';
import { runPlan } from '../../../pkg/cli/index.ts';
import { defaultPlanCore } from '../../../pkg/cli/core.ts';
import { PLAN_HELP, TOP_HELP } from '../../../pkg/cli/help.ts';
import { captureIo } from '../cli/cli-io.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const docsDir = join(root, 'docs');

/** Commands of other tools, whose flags are theirs. */
const otherTools = /^(aws|eksctl|kubectl|helm|docker|curl|jq)\b/;

interface Doc {
  readonly name: string;
  readonly text: string;
}

/** Fenced code blocks, each with the marker comment just above it if there is one. */
function codeBlocks(text: string): { marker?: string; lang: string; body: string }[] {
  const out: { marker?: string; lang: string; body: string }[] = [];
  for (const m of text.matchAll(
    /(?:<!-- docs-example: ([\w-]+) -->\s*\n)?```(\w*)\n([\s\S]*?)\n```/g,
  )) {
    out.push({
      ...(m[1] !== undefined ? { marker: m[1] } : {}),
      lang: m[2] ?? '',
      body: m[3] ?? '',
    });
  }
  return out;
}

/** The snippets that are Albatross command lines: inline code and shell lines. */
function albatrossSnippets(text: string): string[] {
  const prose = text.replace(/```[\s\S]*?```/g, '');
  const inline = [...prose.matchAll(/`([^`\n]+)`/g)].map((m) => m[1] ?? '');
  const shell = codeBlocks(text)
    .filter((b) => b.lang === 'sh')
    .flatMap((b) => b.body.replace(/\\\n/g, ' ').split('\n'));
  return [...inline, ...shell].filter((s) => !otherTools.test(s.trim()));
}

function flagsIn(text: string): Set<string> {
  return new Set([...text.matchAll(/(?<![\w-])--([a-z][a-z0-9-]*)/g)].map((m) => m[1] ?? ''));
}

describe('docs/', () => {
  let docs: Doc[];
  let metricsSource: string;
  before(async () => {
    const names = (await readdir(docsDir)).filter((n) => n.endsWith('.md'));
    docs = await Promise.all(
      names.map(async (name) => ({ name, text: await readFile(join(docsDir, name), 'utf8') })),
    );
    metricsSource = await readFile(join(root, 'controller/metrics.ts'), 'utf8');
  });

  it('holds the install, migration and troubleshooting guides', () => {
    const names = docs.map((d) => d.name);
    for (const guide of [
      'install.md',
      'migrate-from-aws-load-balancer-controller.md',
      'troubleshooting.md',
    ]) {
      assert.ok(names.includes(guide), guide);
    }
  });

  it('names only flags the controller or albatross plan has', () => {
    const known = new Set([
      ...flagsIn(CONTROLLER_HELP),
      ...flagsIn(PLAN_HELP),
      ...flagsIn(TOP_HELP),
    ]);
    assert.ok(known.has('rule-order') && known.has('cluster-name'), 'flags read from the help');
    const unknown: string[] = [];
    let named = 0;
    for (const doc of docs) {
      for (const snippet of albatrossSnippets(doc.text)) {
        for (const flag of flagsIn(snippet)) {
          named++;
          if (!known.has(flag)) unknown.push(`${doc.name}: --${flag} (in \`${snippet}\`)`);
        }
      }
    }
    assert.ok(named > 5, 'the docs name flags');
    assert.deepEqual(unknown, []);
  });

  it('names only metrics that exist, and documents each of them', () => {
    const inCode = new Set(
      [...metricsSource.matchAll(/name: '(albatross_\w+)'/g)].map((m) => m[1]),
    );
    assert.ok(inCode.size >= 5, 'metric names read from controller/metrics.ts');
    const all = docs.map((d) => d.text).join('\n');
    const inDocs = new Set([...all.matchAll(/\b(albatross_[a-z_]+)\b/g)].map((m) => m[1]));
    assert.deepEqual(
      [...inDocs].filter((n) => !inCode.has(n)),
      [],
      'documented but not in code',
    );
    const troubleshooting = docs.find((d) => d.name === 'troubleshooting.md')?.text ?? '';
    assert.deepEqual(
      [...inCode].filter((n) => n !== undefined && !troubleshooting.includes(`\`${n}\``)),
      [],
      'in code but missing from docs/troubleshooting.md',
    );
  });

  it('lists exactly the Event reasons the controller records', async () => {
    const handleResult = await readFile(join(root, 'controller/handle-result.ts'), 'utf8');
    const inCode = new Set<string>([
      ...Object.values(EventReasons),
      // On pods, by the readiness-gate report.
      UNGATED_POD_REASON,
      ...[...handleResult.matchAll(/reason: '([A-Z]\w+)'/g)].map((m) => m[1] ?? ''),
      ...[...handleResult.matchAll(/'(?:warn|error)', '([A-Z]\w+)'/g)].map((m) => m[1] ?? ''),
    ]);
    const troubleshooting = docs.find((d) => d.name === 'troubleshooting.md')?.text ?? '';
    const inDocs = new Set(
      [...troubleshooting.matchAll(/^\| `([A-Z]\w+)`\s+\| (?:Normal|Warning)/gm)].map(
        (m) => m[1] ?? '',
      ),
    );
    assert.ok(inCode.has('FailedReconcile') && inCode.has('FailedDeployModel'));
    assert.deepEqual([...inDocs].sort(), [...inCode].sort());
  });

  it('lists exactly the error reasons of albatross_reconcile_errors_total', async () => {
    const handleResult = await readFile(join(root, 'controller/handle-result.ts'), 'utf8');
    const inCode = new Set([
      ...[...handleResult.matchAll(/'[A-Z]\w+', '([a-z_]+)'\)/g)].map((m) => m[1] ?? ''),
      ...[...handleResult.matchAll(/errorReason: '([a-z_]+)'/g)].map((m) => m[1] ?? ''),
    ]);
    const troubleshooting = docs.find((d) => d.name === 'troubleshooting.md')?.text ?? '';
    const row = /^\| `albatross_reconcile_errors_total` \|[^|]*\| `reason`: ([^|]*)\|/m.exec(
      troubleshooting,
    );
    assert.ok(row !== null, 'a row for albatross_reconcile_errors_total');
    const inDocs = new Set([...(row[1] ?? '').matchAll(/`([a-z_]+)`/g)].map((m) => m[1] ?? ''));
    assert.ok(inCode.size >= 5);
    assert.deepEqual([...inDocs].sort(), [...inCode].sort());
  });

  it('links only to files that exist', () => {
    const chartPresent = existsSync(join(root, 'helm/albatross/Chart.yaml'));
    const broken: string[] = [];
    for (const doc of docs) {
      for (const m of doc.text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        const target = m[1] ?? '';
        if (/^[a-z]+:/.test(target)) continue;
        const path = join(docsDir, target);
        if (!chartPresent && path.startsWith(join(root, 'helm'))) continue;
        if (!existsSync(path)) broken.push(`${doc.name}: ${target}`);
      }
    }
    assert.deepEqual(broken, []);
  });

  it('sets only chart values the chart has', async (t) => {
    const valuesPath = join(root, 'helm/albatross/values.yaml');
    if (!existsSync(valuesPath)) {
      t.skip('no chart in this tree yet');
      return;
    }
    const values: unknown = parse(await readFile(valuesPath, 'utf8'));
    // A required value has no default in values.yaml, only its schema.
    const schemaPath = join(root, 'helm/albatross/values.schema.json');
    const schema: unknown = existsSync(schemaPath)
      ? JSON.parse(await readFile(schemaPath, 'utf8'))
      : {};
    const at = (tree: unknown, path: readonly string[]): unknown =>
      path.reduce<unknown>(
        (node, key) =>
          typeof node === 'object' && node !== null
            ? (node as Record<string, unknown>)[key]
            : undefined,
        tree,
      );
    const missing: string[] = [];
    for (const doc of docs) {
      for (const m of doc.text.matchAll(/--set ([\w.]+)=/g)) {
        const path = (m[1] ?? '').split('.');
        const inSchema = at(
          schema,
          path.flatMap((k) => ['properties', k]),
        );
        if (at(values, path) === undefined && inSchema === undefined) {
          missing.push(`${doc.name}: ${m[1] ?? ''}`);
        }
      }
    }
    assert.deepEqual(missing, []);
  });

  describe('the migration guide example', () => {
    let input: string;
    let blocks: ReturnType<typeof codeBlocks>;
    before(() => {
      const guide = docs.find((d) => d.name === 'migrate-from-aws-load-balancer-controller.md');
      blocks = codeBlocks(guide?.text ?? '');
      input = blocks.find((b) => b.marker === 'migrate-input')?.body ?? '';
      assert.ok(input.includes('kind: Ingress'), 'the example manifest');
    });

    async function plan(...extra: string[]): Promise<{ code: number; out: string }> {
      const io = captureIo({ stdin: input, cwd: dirname(docsDir) });
      const code = await runPlan(['-f', '-', '-o', 'text', ...extra], io, defaultPlanCore);
      return { code, out: io.out() };
    }

    function assertShows(out: string, marker: string): void {
      const shown = blocks.find((b) => b.marker === marker)?.body;
      assert.ok(shown !== undefined, `a block marked ${marker}`);
      assert.ok(out.includes(`${shown}\n`), `albatross plan printed:\n${out}\nnot:\n${shown}`);
    }

    it('plans the host rule first by the Ingress specification', async () => {
      const { code, out } = await plan();
      assert.equal(code, 0);
      assertShows(out, 'migrate-plan');
    });

    it('plans the catch-all first with --rule-order reference', async () => {
      const { code, out } = await plan('--rule-order', 'reference');
      assert.equal(code, 0);
      assertShows(out, 'migrate-plan-reference');
    });
  });
});
