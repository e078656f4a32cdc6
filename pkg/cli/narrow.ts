/**
 * A manifest read from YAML is `unknown`: any field may be null (`annotations:` with
 * nothing after it), empty or of the wrong type. The API server would normalise or refuse
 * such an object before a controller saw it; offline this is where that happens, once, so
 * that everything downstream reads typed objects as the controller does.
 *
 * - `null` is absent, everywhere (the API server drops it the same way);
 * - a field the planner reads with the wrong type is a problem naming the field, the
 *   value and the type allowed, and the object is refused (as `kubectl apply` would be);
 * - fields the planner never reads are kept as they are, minus their nulls.
 *
 * Pure.
 */

/** What a field holds; the planner reads nothing of a field typed `any` before its own parser. */
export type Shape =
  | 'string'
  | 'integer'
  | 'boolean'
  | 'int-or-string'
  | 'string-map'
  | 'any'
  | { readonly list: Shape }
  | { readonly fields: Readonly<Record<string, Shape>> };

/** A field of the wrong type: where, what was given, what is allowed. */
export interface ShapeProblem {
  /** `spec.rules[0].http.paths`, `metadata.annotations["alb.ingress.kubernetes.io/x"]` */
  readonly field: string;
  /** The value given, as JSON, cut to a readable length. */
  readonly value: string;
  readonly message: string;
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object without any `null` (nor `undefined`) member, at any depth; `null` items of lists go too. */
export function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v != null).map(withoutNulls);
  if (!isRecord(value)) return value;
  const out: Json = {};
  for (const [key, inner] of Object.entries(value)) {
    if (inner != null) out[key] = withoutNulls(inner);
  }
  return out;
}

/**
 * `value` checked against `shape`; `undefined` for null (absent). A wrong-typed field is
 * recorded in `problems` and left out of the result.
 */
export function narrow(
  value: unknown,
  shape: Shape,
  path: string,
  problems: ShapeProblem[],
): unknown {
  if (value == null) return undefined;
  const wrong = (allowed: string): unknown => {
    problems.push(wrongType(path, value, allowed));
    return undefined;
  };
  if (shape === 'any') return withoutNulls(value);
  if (shape === 'string') return typeof value === 'string' ? value : wrong('a string');
  if (shape === 'boolean') return typeof value === 'boolean' ? value : wrong('true or false');
  if (shape === 'integer') return Number.isInteger(value) ? value : wrong('an integer');
  if (shape === 'int-or-string') {
    return Number.isInteger(value) || typeof value === 'string'
      ? value
      : wrong('an integer or a string');
  }
  if (shape === 'string-map') {
    if (!isRecord(value)) return wrong('a map of strings');
    const out: Record<string, string> = {};
    for (const [key, inner] of Object.entries(value)) {
      if (inner == null) continue;
      if (typeof inner === 'string') out[key] = inner;
      else problems.push(wrongType(`${path}[${JSON.stringify(key)}]`, inner, quotedAdvice(inner)));
    }
    return out;
  }
  if ('list' in shape) {
    if (!Array.isArray(value)) return wrong('a list');
    const out: unknown[] = [];
    for (const [index, item] of value.entries()) {
      const at = `${path}[${index}]`;
      if (item == null) {
        problems.push(wrongType(at, item, 'an item (not null)'));
        continue;
      }
      const narrowed = narrow(item, shape.list, at, problems);
      if (narrowed !== undefined) out.push(narrowed);
    }
    return out;
  }
  if (!isRecord(value)) return wrong('a map');
  const out: Json = {};
  for (const [key, inner] of Object.entries(value)) {
    const field = shape.fields[key];
    const narrowed =
      field === undefined
        ? inner == null
          ? undefined
          : withoutNulls(inner)
        : narrow(inner, field, path === '' ? key : `${path}.${key}`, problems);
    if (narrowed !== undefined) out[key] = narrowed;
  }
  return out;
}

function quotedAdvice(value: unknown): string {
  return typeof value === 'number' || typeof value === 'boolean'
    ? `a string (quote it: "${String(value)}")`
    : 'a string';
}

function wrongType(field: string, value: unknown, allowed: string): ShapeProblem {
  const shown = shownValue(value);
  return {
    field,
    value: shown,
    message: `${field}: ${shown} is ${typeName(value)}; must be ${allowed}`,
  };
}

function shownValue(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (isRecord(value)) return Object.keys(value).length === 0 ? 'an empty map' : 'a map';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  if (typeof value === 'string') return value === '' ? 'an empty string' : 'a string';
  return typeof value;
}
