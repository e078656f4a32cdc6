/**
 * A small JSON reader that reports where the text went wrong instead of throwing:
 * `JSON.parse` throws, and pure code neither throws nor catches. The message names the
 * position (1-based line and column) so a user can find the mistake in a one-line
 * annotation value.
 */

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | JsonObject;

export interface JsonObject {
  readonly [key: string]: JsonValue;
}

export type JsonResult =
  | { readonly ok: true; readonly value: JsonValue }
  | { readonly ok: false; readonly message: string };

interface Cursor {
  readonly text: string;
  pos: number;
}

interface Failure {
  readonly fail: string;
}

type Step = { readonly value: JsonValue } | Failure;

const MAX_DEPTH = 64;

function where(text: string, pos: number): string {
  let line = 1;
  let column = 1;
  for (let i = 0; i < pos && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      column = 1;
    } else {
      column++;
    }
  }
  return `at position ${pos} (line ${line}, column ${column})`;
}

function failAt(c: Cursor, what: string): Failure {
  const found = c.pos < c.text.length ? `'${c.text.charAt(c.pos)}'` : 'end of input';
  return { fail: `${what}, found ${found} ${where(c.text, c.pos)}` };
}

function skipSpace(c: Cursor): void {
  while (c.pos < c.text.length) {
    const ch = c.text.charAt(c.pos);
    if (ch !== ' ' && ch !== '\t' && ch !== '\n' && ch !== '\r') return;
    c.pos++;
  }
}

const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

function readString(c: Cursor): { readonly value: string } | Failure {
  c.pos++; // opening quote
  let out = '';
  while (c.pos < c.text.length) {
    const ch = c.text.charAt(c.pos);
    if (ch === '"') {
      c.pos++;
      return { value: out };
    }
    if (ch === '\\') {
      const esc = c.text.charAt(c.pos + 1);
      if (esc === 'u') {
        const hex = c.text.slice(c.pos + 2, c.pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
          c.pos += 2;
          return failAt(c, 'expected four hex digits after \\u');
        }
        out += String.fromCharCode(parseInt(hex, 16));
        c.pos += 6;
        continue;
      }
      const mapped = ESCAPES[esc];
      if (mapped === undefined) {
        c.pos++;
        return failAt(c, 'expected a valid escape sequence');
      }
      out += mapped;
      c.pos += 2;
      continue;
    }
    if (ch < ' ') return failAt(c, 'expected no control character inside a string');
    out += ch;
    c.pos++;
  }
  return failAt(c, 'expected closing quote');
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

function readValue(c: Cursor, depth: number): Step {
  skipSpace(c);
  if (depth > MAX_DEPTH) return failAt(c, `expected nesting no deeper than ${MAX_DEPTH}`);
  const ch = c.text.charAt(c.pos);
  if (ch === '{') return readObject(c, depth);
  if (ch === '[') return readArray(c, depth);
  if (ch === '"') return readString(c);
  for (const [word, value] of [
    ['true', true],
    ['false', false],
    ['null', null],
  ] as const) {
    if (c.text.startsWith(word, c.pos)) {
      c.pos += word.length;
      return { value };
    }
  }
  NUMBER.lastIndex = c.pos;
  const m = NUMBER.exec(c.text);
  if (m !== null) {
    c.pos += m[0].length;
    return { value: Number(m[0]) };
  }
  return failAt(c, 'expected a JSON value');
}

function readArray(c: Cursor, depth: number): Step {
  c.pos++;
  const items: JsonValue[] = [];
  skipSpace(c);
  if (c.text.charAt(c.pos) === ']') {
    c.pos++;
    return { value: items };
  }
  for (;;) {
    const item = readValue(c, depth + 1);
    if ('fail' in item) return item;
    items.push(item.value);
    skipSpace(c);
    const sep = c.text.charAt(c.pos);
    if (sep === ',') {
      c.pos++;
      continue;
    }
    if (sep === ']') {
      c.pos++;
      return { value: items };
    }
    return failAt(c, "expected ',' or ']'");
  }
}

function readObject(c: Cursor, depth: number): Step {
  c.pos++;
  const obj: Record<string, JsonValue> = {};
  skipSpace(c);
  if (c.text.charAt(c.pos) === '}') {
    c.pos++;
    return { value: obj };
  }
  for (;;) {
    skipSpace(c);
    if (c.text.charAt(c.pos) !== '"') return failAt(c, 'expected a quoted property name');
    const key = readString(c);
    if ('fail' in key) return key;
    skipSpace(c);
    if (c.text.charAt(c.pos) !== ':') return failAt(c, "expected ':'");
    c.pos++;
    const value = readValue(c, depth + 1);
    if ('fail' in value) return value;
    // Object.defineProperty keeps a key named __proto__ an ordinary property.
    Object.defineProperty(obj, key.value, {
      value: value.value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
    skipSpace(c);
    const sep = c.text.charAt(c.pos);
    if (sep === ',') {
      c.pos++;
      continue;
    }
    if (sep === '}') {
      c.pos++;
      return { value: obj };
    }
    return failAt(c, "expected ',' or '}'");
  }
}

/** Parses JSON text; a failure says what was expected and where. */
export function parseJson(text: string): JsonResult {
  const c: Cursor = { text, pos: 0 };
  const step = readValue(c, 0);
  if ('fail' in step) return { ok: false, message: `invalid JSON: ${step.fail}` };
  skipSpace(c);
  if (c.pos < text.length)
    return { ok: false, message: `invalid JSON: ${failAt(c, 'expected end of input').fail}` };
  return { ok: true, value: step.value };
}

export function isJsonObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads a property the way Go's encoding/json does (the reference controller's parser):
 * an exact key first, else a case-insensitive match, so `targetGroupARN` and
 * `TargetGroupArn` both work as they do there.
 */
export function prop(obj: JsonObject, name: string): JsonValue | undefined {
  if (Object.hasOwn(obj, name)) return obj[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(obj)) {
    if (key.toLowerCase() === lower) return obj[key];
  }
  return undefined;
}

export function isJsonArray(v: JsonValue | undefined): v is readonly JsonValue[] {
  return Array.isArray(v);
}
