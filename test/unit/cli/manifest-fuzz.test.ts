/**
 * No manifest crashes the planner. Every field of every object of a rich input (one of
 * every kind the planner reads, and the examples), one at a time, is replaced by null,
 * an empty map, an empty list, an empty string and values of the wrong type; every
 * annotation value by strings its parser may not expect. Each mutated input is planned
 * through the real core and rendered both ways: none may throw.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { ManifestDocument } from '../../../pkg/cli/index.ts';
import {
  buildInventory,
  parseManifests,
  planInventory,
  renderPlanJson,
  renderPlanText,
} from '../../../pkg/cli/index.ts';
import { defaultPlanCore } from '../../../pkg/cli/core.ts';
import { defaultTranslateConfig } from '../../../pkg/translate/env.ts';

const config = { ...defaultTranslateConfig, clusterName: 'fuzz' };

function documentsOf(path: URL): ManifestDocument[] {
  const parsed = parseManifests(readFileSync(path, 'utf8'), path.pathname);
  assert.ok(parsed.ok);
  return [...parsed.documents];
}

const examples = new URL('../../../examples/', import.meta.url);
const inputs: readonly { name: string; documents: ManifestDocument[] }[] = [
  {
    name: 'every-kind.yaml',
    documents: documentsOf(new URL('fixtures/fuzz/every-kind.yaml', import.meta.url)),
  },
  {
    name: 'class-params/manifests.yaml',
    documents: documentsOf(new URL('fixtures/class-params/manifests.yaml', import.meta.url)),
  },
  {
    name: 'bindings/manifests.yaml',
    documents: documentsOf(new URL('fixtures/bindings/manifests.yaml', import.meta.url)),
  },
  {
    name: 'legacy.yaml',
    documents: documentsOf(new URL('fixtures/legacy.yaml', import.meta.url)),
  },
  ...readdirSync(examples)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => ({ name: f, documents: documentsOf(new URL(f, examples)) })),
];

/** Values a field may hold in a file that no reader expects. */
const WRONG: readonly unknown[] = [null, {}, [], '', 0, -1, 1.5, true, 'x', [null], { x: null }];
/** Strings an annotation parser may not expect. */
const ODD_STRINGS: readonly string[] = [
  '',
  ' ',
  'null',
  '{}',
  '[]',
  '[null]',
  '{"x":null}',
  ',',
  '=',
  '0',
];

type Path = readonly (string | number)[];

function pathsOf(value: unknown, at: Path = []): Path[] {
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => [[...at, index], ...pathsOf(item, [...at, index])]);
  }
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, inner]) => [
      [...at, key],
      ...pathsOf(inner, [...at, key]),
    ]);
  }
  return [];
}

function replaced(value: unknown, path: Path, replacement: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return replacement;
  if (Array.isArray(value)) {
    return (value as unknown[]).map((item, index) =>
      index === head ? replaced(item, rest, replacement) : item,
    );
  }
  const record = value as Record<string, unknown>;
  return { ...record, [head]: replaced(record[head], rest, replacement) };
}

function planAll(documents: readonly ManifestDocument[]): void {
  const report = planInventory(buildInventory(documents), config, defaultPlanCore);
  renderPlanText(report);
  renderPlanJson(report);
}

function mutations(documents: readonly ManifestDocument[]) {
  const out: { where: string; documents: ManifestDocument[] }[] = [];
  for (const [index, document] of documents.entries()) {
    const apply = (path: Path, value: unknown) => {
      const mutated = [...documents];
      mutated[index] = {
        source: document.source,
        object: replaced(document.object, path, value) as ManifestDocument['object'],
      };
      out.push({
        where: `${document.source} ${path.join('.')} = ${JSON.stringify(value)}`,
        documents: mutated,
      });
    };
    for (const path of pathsOf(document.object)) {
      if (path[0] === 'kind' || path[0] === 'apiVersion') continue;
      for (const value of WRONG) apply(path, value);
      const isAnnotation = path.length === 3 && path[1] === 'annotations';
      if (isAnnotation) for (const value of ODD_STRINGS) apply(path, value);
    }
  }
  return out;
}

describe('the planner on malformed manifests', () => {
  for (const input of inputs) {
    it(`GIVEN ${input.name} with any one field null, empty or of the wrong type THEN planning and rendering never throw`, () => {
      const crashes: string[] = [];
      const cases = mutations(input.documents);
      for (const { where, documents } of cases) {
        try {
          planAll(documents);
        } catch (error) {
          crashes.push(`${where}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      assert.ok(cases.length > 50, `only ${cases.length} mutations of ${input.name}`);
      assert.deepEqual(crashes.slice(0, 20), [], `${crashes.length} of ${cases.length} crash`);
    });
  }
});
