/**
 * `transforms.${name}`: a JSON list of ALB rule transforms for the backend named
 * `${name}` (as `actions.${name}` is), in the ELBv2 shapes:
 * `[{"type":"url-rewrite","urlRewriteConfig":{"rewrites":[{"regex":"^/api/(.*)$","replace":"/$1"}]}}]`.
 * ALB takes at most one transform of each type per rule and one rewrite per transform.
 */
import type { RuleTransform } from '../model/index.ts';
import { isJsonArray, isJsonObject, parseJson, prop } from './json.ts';
import type { JsonValue } from './json.ts';
import { bad, ok } from './parsed.ts';
import type { Parsed } from './parsed.ts';

const TRANSFORMS_FORM =
  'must be a JSON list of transforms, e.g. [{"type":"url-rewrite","urlRewriteConfig":{"rewrites":[{"regex":"^/api/(.*)$","replace":"/$1"}]}}]; types: url-rewrite, host-header-rewrite, each at most once, with exactly one rewrite';

/** ALB's limit on a rewrite regex and its replacement. */
const MAX_REWRITE = 1024;

function parseTransform(t: JsonValue, i: number): Parsed<RuleTransform> {
  const at = `[${i}]`;
  if (!isJsonObject(t)) return bad(`${at} must be an object; ${TRANSFORMS_FORM}`);
  const type = prop(t, 'type');
  if (type !== 'url-rewrite' && type !== 'host-header-rewrite') {
    return bad(`${at}.type ${JSON.stringify(type ?? null)} is not allowed; ${TRANSFORMS_FORM}`);
  }
  const configKey = type === 'url-rewrite' ? 'urlRewriteConfig' : 'hostHeaderRewriteConfig';
  const cfg = prop(t, configKey);
  const rewrites = isJsonObject(cfg) ? prop(cfg, 'rewrites') : undefined;
  if (!isJsonArray(rewrites) || rewrites.length !== 1) {
    return bad(`${at}.${configKey}.rewrites must be a list of exactly one {regex, replace}`);
  }
  const [r] = rewrites;
  const regex = isJsonObject(r) ? prop(r, 'regex') : undefined;
  const replace = isJsonObject(r) ? prop(r, 'replace') : undefined;
  if (typeof regex !== 'string' || regex === '' || regex.length > MAX_REWRITE) {
    return bad(
      `${at}.${configKey}.rewrites[0].regex must be a non-empty string of at most ${MAX_REWRITE} characters`,
    );
  }
  if (typeof replace !== 'string' || replace.length > MAX_REWRITE) {
    return bad(
      `${at}.${configKey}.rewrites[0].replace must be a string of at most ${MAX_REWRITE} characters`,
    );
  }
  const rewrite = { Rewrites: [{ Regex: regex, Replace: replace }] };
  return ok(
    type === 'url-rewrite'
      ? { Type: type, UrlRewriteConfig: rewrite }
      : { Type: type, HostHeaderRewriteConfig: rewrite },
  );
}

/** Parses one `transforms.${name}` value. */
export function parseTransforms(raw: string): Parsed<readonly RuleTransform[]> {
  const json = parseJson(raw);
  if (!json.ok) return bad(`${json.message}; ${TRANSFORMS_FORM}`);
  if (!isJsonArray(json.value) || json.value.length === 0) return bad(TRANSFORMS_FORM);
  const out: RuleTransform[] = [];
  for (const [i, t] of json.value.entries()) {
    const r = parseTransform(t, i);
    if (!r.ok) return r;
    if (out.some((o) => o.Type === r.value.Type)) {
      return bad(`[${i}].type '${r.value.Type}' is given twice; an ALB rule takes one of each`);
    }
    out.push(r.value);
  }
  return ok(out);
}
