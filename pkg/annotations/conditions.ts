/**
 * `conditions.${name}`: a JSON list of extra rule conditions in the ELBv2 shapes, ANDed
 * with the rule's host and path; host-header and path-pattern values are merged into the
 * rule's own host and path condition instead (translate/match-conditions.ts). `values` or
 * `regexValues`, never both.
 */
import type { QueryStringKeyValue, RuleCondition, ValuesConfig } from '../model/index.ts';
import { parseCidr } from './cidr.ts';
import { isJsonArray, isJsonObject, parseJson, prop } from './json.ts';
import type { JsonValue } from './json.ts';
import { bad, ok } from './parsed.ts';
import type { Parsed } from './parsed.ts';

const CONDITIONS_FORM =
  'must be a JSON list of conditions, e.g. [{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"X-Env","values":["beta"]}}]; fields: host-header, path-pattern, http-header, http-request-method, query-string, source-ip';

function strings(v: JsonValue | undefined, where: string): Parsed<readonly string[] | undefined> {
  if (v === undefined || v === null) return ok(undefined);
  if (!isJsonArray(v) || v.length === 0 || !v.every((x) => typeof x === 'string' && x !== '')) {
    return bad(`${where} must be a non-empty list of non-empty strings`);
  }
  return ok(v as readonly string[]);
}

function valuesConfig(
  cfg: JsonValue | undefined,
  where: string,
  allowRegex: boolean,
): Parsed<ValuesConfig> {
  if (!isJsonObject(cfg)) return bad(`${where} must be an object with values or regexValues`);
  const values = strings(prop(cfg, 'values'), `${where}.values`);
  if (!values.ok) return values;
  const regex = strings(prop(cfg, 'regexValues'), `${where}.regexValues`);
  if (!regex.ok) return regex;
  if (values.value !== undefined && regex.value !== undefined) {
    return bad(`${where} has both values and regexValues; give one of them`);
  }
  if (regex.value !== undefined) {
    if (!allowRegex) return bad(`${where} does not take regexValues; give values`);
    return ok({ RegexValues: regex.value });
  }
  if (values.value === undefined) return bad(`${where} needs values or regexValues`);
  return ok({ Values: values.value });
}

function parseCondition(c: JsonValue, i: number): Parsed<RuleCondition> {
  const at = `[${i}]`;
  if (!isJsonObject(c)) return bad(`${at} must be an object`);
  const field = prop(c, 'field');
  switch (field) {
    case 'host-header': {
      const v = valuesConfig(prop(c, 'hostHeaderConfig'), `${at}.hostHeaderConfig`, true);
      return v.ok ? ok({ Field: field, HostHeaderConfig: v.value }) : v;
    }
    case 'path-pattern': {
      const v = valuesConfig(prop(c, 'pathPatternConfig'), `${at}.pathPatternConfig`, true);
      return v.ok ? ok({ Field: field, PathPatternConfig: v.value }) : v;
    }
    case 'http-header': {
      const cfg = prop(c, 'httpHeaderConfig');
      const v = valuesConfig(cfg, `${at}.httpHeaderConfig`, true);
      if (!v.ok) return v;
      const name = isJsonObject(cfg) ? prop(cfg, 'httpHeaderName') : undefined;
      if (typeof name !== 'string' || !/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,40}$/.test(name)) {
        return bad(
          `${at}.httpHeaderConfig.httpHeaderName must be an HTTP header name of at most 40 characters`,
        );
      }
      return ok({ Field: field, HttpHeaderConfig: { HttpHeaderName: name, ...v.value } });
    }
    case 'http-request-method': {
      const cfg = prop(c, 'httpRequestMethodConfig');
      const v = strings(
        isJsonObject(cfg) ? prop(cfg, 'values') : undefined,
        `${at}.httpRequestMethodConfig.values`,
      );
      if (!v.ok) return v;
      if (v.value === undefined) return bad(`${at}.httpRequestMethodConfig.values is required`);
      const badMethod = v.value.find((m) => !/^[A-Z_-]{1,40}$/.test(m));
      if (badMethod !== undefined) {
        return bad(
          `${at}.httpRequestMethodConfig method '${badMethod}' must be upper-case letters, '_' or '-', e.g. GET`,
        );
      }
      return ok({ Field: field, HttpRequestMethodConfig: { Values: v.value } });
    }
    case 'query-string': {
      const cfg = prop(c, 'queryStringConfig');
      const list = isJsonObject(cfg) ? prop(cfg, 'values') : undefined;
      if (!isJsonArray(list) || list.length === 0) {
        return bad(`${at}.queryStringConfig.values must be a non-empty list of {key?, value}`);
      }
      const out: QueryStringKeyValue[] = [];
      for (const kv of list) {
        const key = isJsonObject(kv) ? prop(kv, 'key') : undefined;
        const value = isJsonObject(kv) ? prop(kv, 'value') : undefined;
        if (
          typeof value !== 'string' ||
          value === '' ||
          (key !== undefined && key !== null && typeof key !== 'string')
        ) {
          return bad(
            `${at}.queryStringConfig.values entries must be {key?: string, value: string}`,
          );
        }
        out.push(typeof key === 'string' ? { Key: key, Value: value } : { Value: value });
      }
      return ok({ Field: field, QueryStringConfig: { Values: out } });
    }
    case 'source-ip': {
      const cfg = prop(c, 'sourceIpConfig');
      const v = strings(
        isJsonObject(cfg) ? prop(cfg, 'values') : undefined,
        `${at}.sourceIpConfig.values`,
      );
      if (!v.ok) return v;
      if (v.value === undefined) return bad(`${at}.sourceIpConfig.values is required`);
      for (const cidr of v.value) {
        const r = parseCidr(cidr);
        if (!r.ok) return bad(`${at}.sourceIpConfig value '${cidr}' ${r.message}`);
      }
      return ok({ Field: field, SourceIpConfig: { Values: v.value } });
    }
    default:
      return bad(`${at}.field ${JSON.stringify(field ?? null)} is not allowed; ${CONDITIONS_FORM}`);
  }
}

/** Parses one `conditions.${name}` value. */
export function parseConditions(raw: string): Parsed<readonly RuleCondition[]> {
  const json = parseJson(raw);
  if (!json.ok) return bad(`${json.message}; ${CONDITIONS_FORM}`);
  if (!isJsonArray(json.value)) return bad(CONDITIONS_FORM);
  const out: RuleCondition[] = [];
  for (const [i, c] of json.value.entries()) {
    const r = parseCondition(c, i);
    if (!r.ok) return r;
    out.push(r.value);
  }
  return ok(out);
}
