/**
 * The typed forms every annotation value takes (all values are strings): bool, int,
 * list `a,b,c`, map `k1=v1,k2=v2`, one of a fixed set.
 */
import { bad, ok } from './parsed.ts';
import type { Parsed, Parser } from './parsed.ts';

export function parseBool(raw: string): Parsed<boolean> {
  if (raw === 'true') return ok(true);
  if (raw === 'false') return ok(false);
  return bad("must be 'true' or 'false'");
}

/** An integer in [min, max], written in decimal. */
export function intIn(min: number, max: number): Parser<number> {
  return (raw) => {
    const t = raw.trim();
    if (!/^[+-]?[0-9]+$/.test(t)) return bad(`must be an integer from ${min} to ${max}`);
    const n = Number(t);
    if (n < min || n > max) return bad(`must be an integer from ${min} to ${max}`);
    return ok(n);
  };
}

/** Comma-separated, entries trimmed, empty entries dropped; at least one entry. */
export function parseList(raw: string): Parsed<readonly string[]> {
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) return bad('must be a comma-separated list with at least one entry');
  return ok(items);
}

/** `k1=v1,k2=v2`; keys non-empty and unique, values may be empty. */
export function parseMap(raw: string): Parsed<Readonly<Record<string, string>>> {
  const out: Record<string, string> = {};
  for (const part of raw.split(',')) {
    const entry = part.trim();
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    if (eq <= 0) {
      return bad(`entry '${entry}' must be key=value; the form is k1=v1,k2=v2`);
    }
    const key = entry.slice(0, eq).trim();
    const value = entry.slice(eq + 1).trim();
    if (Object.hasOwn(out, key)) return bad(`key '${key}' is given twice`);
    out[key] = value;
  }
  if (Object.keys(out).length === 0)
    return bad('must be a map k1=v1,k2=v2 with at least one entry');
  return ok(out);
}

/** One of `allowed`, exactly as written (the reference controller compares verbatim). */
export function oneOf<const T extends string>(allowed: readonly T[]): Parser<T> {
  return (raw) => {
    const found = allowed.find((a) => a === raw);
    if (found !== undefined) return ok(found);
    return bad(`must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
  };
}

/** A list whose every entry passes `each`. */
export function listOf<T>(each: Parser<T>): Parser<readonly T[]> {
  return (raw) => {
    const list = parseList(raw);
    if (!list.ok) return list;
    const out: T[] = [];
    for (const item of list.value) {
      const r = each(item);
      if (!r.ok) return bad(`entry '${item}' ${r.message}`);
      out.push(r.value);
    }
    return ok(out);
  };
}
