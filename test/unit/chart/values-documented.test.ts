/**
 * The chart's README documents every value and values.schema.json types every value:
 * an operator reading either finds each key values.yaml has, and nothing that is not.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { repoRoot } from '../../env/paths.ts';

const chart = join(repoRoot, 'helm', 'albatross');

interface SchemaNode {
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly pattern?: string;
  readonly 'x-kubernetes-int-or-string'?: boolean;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly items?: SchemaNode;
  readonly additionalProperties?: boolean | SchemaNode;
  readonly required?: readonly string[];
}

const schema = JSON.parse(readFileSync(join(chart, 'values.schema.json'), 'utf8')) as SchemaNode;
const values = parse(readFileSync(join(chart, 'values.yaml'), 'utf8')) as Record<string, unknown>;
const readme = readFileSync(join(chart, 'README.md'), 'utf8');

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The keys an operator sets: values.yaml walked down where the schema lists the fields;
 * a free-form object (resources, a label map) or an empty one is one key.
 */
function valueKeys(node: unknown, s: SchemaNode | undefined, prefix: string): string[] {
  if (!isMap(node) || Object.keys(node).length === 0 || s?.properties === undefined) {
    return [prefix];
  }
  return Object.entries(node).flatMap(([k, v]) =>
    valueKeys(v, s.properties?.[k], prefix === '' ? k : `${prefix}.${k}`),
  );
}

/** `key` of every row of the README's Values table. */
function documentedKeys(): string[] {
  const section = readme.split('\n## Values\n')[1] ?? '';
  return [...section.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1] ?? '');
}

function schemaAt(path: string): SchemaNode | undefined {
  let node: SchemaNode | undefined = schema;
  for (const part of path.split('.')) node = node?.properties?.[part];
  return node;
}

/** Every field path of a schema with its type, enum and pattern, for comparison. */
function fields(node: SchemaNode, path: string, out: Map<string, string>): Map<string, string> {
  const type = node['x-kubernetes-int-or-string'] === true ? ['integer', 'string'] : node.type;
  out.set(path, JSON.stringify([type, node.enum, node.pattern]));
  for (const [k, child] of Object.entries(node.properties ?? {}))
    fields(child, `${path}.${k}`, out);
  if (node.items !== undefined) fields(node.items, `${path}[]`, out);
  if (typeof node.additionalProperties === 'object') {
    fields(node.additionalProperties, `${path}{}`, out);
  }
  return out;
}

describe('helm chart values', () => {
  it('the README documents exactly the keys of values.yaml and the required ones', () => {
    const expected = new Set([...valueKeys(values, schema, ''), ...(schema.required ?? [])]);
    const documented = documentedKeys();
    assert.ok(documented.length > 40, `found the Values table (${String(documented.length)} rows)`);
    assert.deepEqual(
      [...expected].filter((k) => !documented.includes(k)),
      [],
      'values missing from the README',
    );
    assert.deepEqual(
      documented.filter((k) => !expected.has(k)),
      [],
      'README rows for values that do not exist',
    );
    assert.equal(new Set(documented).size, documented.length, 'no key documented twice');
  });

  it('ingressClassParams.spec accepts what the IngressClassParams CRD accepts', (t) => {
    const crdFile = join(chart, 'crds', 'ingressclassparams.yaml');
    if (!existsSync(crdFile)) {
      t.skip('no IngressClassParams CRD in crds/');
      return;
    }
    const crd = parse(readFileSync(crdFile, 'utf8')) as {
      spec: { versions: { schema: { openAPIV3Schema: SchemaNode } }[] };
    };
    const crdSpec = crd.spec.versions[0]?.schema.openAPIV3Schema.properties?.spec;
    const valuesSpec = schemaAt('ingressClassParams.spec');
    assert.ok(crdSpec !== undefined && valuesSpec !== undefined);
    // Same fields, types, enums and patterns: a value the chart's schema lets through is
    // one the CRD accepts (regenerate the values schema's copy when the CRD changes).
    assert.deepEqual(
      Object.fromEntries(fields(valuesSpec, 'spec', new Map())),
      Object.fromEntries(fields(crdSpec, 'spec', new Map())),
    );
  });

  it('the schema types every value and refuses unknown top-level keys', () => {
    assert.equal(schema.additionalProperties, false);
    assert.ok(schema.required?.includes('clusterName'));
    for (const key of valueKeys(values, schema, '')) {
      assert.ok(schemaAt(key)?.type !== undefined, `${key} has a type in values.schema.json`);
    }
    function walk(node: SchemaNode, path: string): void {
      assert.ok(node.type !== undefined, `${path} has a type`);
      if (node.properties !== undefined) {
        assert.equal(node.additionalProperties, false, `${path} refuses unknown fields`);
        for (const [k, child] of Object.entries(node.properties)) walk(child, `${path}.${k}`);
      }
      if (node.items !== undefined) walk(node.items, `${path}[]`);
    }
    walk(schema, '(root)');
  });
});
