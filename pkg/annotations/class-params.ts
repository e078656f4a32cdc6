/**
 * IngressClassParams (elbv2.k8s.aws/v1beta1): the spec of one object → typed values and
 * the annotation values they impose on every Ingress of the class.
 *
 * Each field is turned into the raw value of the annotation it overrides and checked by
 * that annotation's own parser. The overrides are then laid over each Ingress's
 * annotations before anything reads them, so every reader — present ones and those added
 * later for new annotations — sees the params' value without knowing params exist. The
 * rejected alternative, overriding the typed IngressAnnotations field by field, needs one
 * edit per feature and silently misses a feature whose author did not know.
 *
 * Three fields are not annotations: `namespaceSelector` (who may use the class),
 * `group.name` (read by grouping, before annotations) and `tags` (merged on top of the
 * Ingress's and Services' tags rather than replacing them), plus `subnets.tags`, a subnet
 * filter no annotation can say. They are returned typed.
 *
 * An error names `IngressClassParams <name>: spec.<field>`, the value given and what is
 * allowed; the valid fields still apply.
 */
import { parseCertificateArns, parseSslPolicy, parseSslRedirect } from './listeners.ts';
import {
  parseAttributes,
  parseInboundCidrs,
  parseIpAddressType,
  parseLoadBalancerName,
  parseScheme,
  parseTags,
} from './load-balancer.ts';
import { albAnnotation, bad, ok } from './parsed.ts';
import type { AnnotationMap, Parsed, Parser } from './parsed.ts';
import { listOf, parseMap } from './primitives.ts';
import { parseTargetType } from './target-group.ts';

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values: readonly string[];
}

/** A Kubernetes LabelSelector; empty selects everything. */
export interface LabelSelector {
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly matchExpressions: readonly LabelSelectorRequirement[];
}

export interface ClassParams {
  readonly name: string;
  /** `undefined` = every namespace may use the class. */
  readonly namespaceSelector: LabelSelector | undefined;
  /** `group.name`: every Ingress of the class joins this group. */
  readonly groupName: string | undefined;
  /** `tags`: highest in the tag merge (never over the ownership tags). */
  readonly tags: Readonly<Record<string, string>> | undefined;
  /** `subnets.tags`: subnets where each key carries one of the values. */
  readonly subnetTags: Readonly<Record<string, readonly string[]>> | undefined;
  /** Full annotation name → raw value, laid over every Ingress's annotations. */
  readonly annotations: AnnotationMap;
  /** The subset that also overrides a Service's annotations (target-group settings). */
  readonly serviceAnnotations: AnnotationMap;
}

/** A field of the params that could not be read. */
export interface ClassParamsError {
  /** `IngressClassParams <name>: spec.<field>` */
  readonly field: string;
  readonly value: string;
  readonly message: string;
}

/** The annotations a Service may also carry, which params override there too. */
const SERVICE_LEVEL = new Set([albAnnotation('target-type')]);

type Json = Readonly<Record<string, unknown>>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function shown(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  return JSON.stringify(value);
}

const PREFIX_LIST: Parser<readonly string[]> = listOf((s) =>
  /^pl-[0-9a-f]+$/.test(s) ? ok(s) : bad('must be a managed prefix list ID (pl-…)'),
);
const SUBNET_IDS: Parser<readonly string[]> = listOf((s) =>
  /^subnet-[0-9a-f]+$/.test(s) ? ok(s) : bad('must be a subnet ID (subnet-…)'),
);
const IPAM_POOL: Parser<string> = (s) =>
  /^ipam-pool-[0-9a-f]+$/.test(s) ? ok(s) : bad('must be an IPAM pool ID (ipam-pool-…)');
const WAFV2_ARN: Parser<string> = (s) =>
  s === 'none' || /^arn:[a-z-]+:wafv2:.+/.test(s)
    ? ok(s)
    : bad("must be a WAFv2 web ACL ARN (arn:aws:wafv2:…) or 'none'");
const WAFV2_NAME: Parser<string> = (s) =>
  /^[A-Za-z0-9_-]{1,128}$/.test(s)
    ? ok(s)
    : bad('must be a WAFv2 web ACL name: 1 to 128 letters, digits, - and _');
const GROUP_NAME: Parser<string> = (s) =>
  s.length <= 63 && /^([a-z0-9][-a-z0-9.]*)?[a-z0-9]$/.test(s)
    ? ok(s)
    : bad(
        "must be 1 to 63 characters of lower-case letters, digits, '-' and '.', starting and ending with a letter or digit",
      );

class Reader {
  readonly errors: ClassParamsError[] = [];
  readonly annotations: Record<string, string> = {};
  readonly #name: string;
  readonly #spec: Json;

  constructor(name: string, spec: Json) {
    this.#name = name;
    this.#spec = spec;
  }

  has(field: string): boolean {
    return this.#spec[field] !== undefined && this.#spec[field] !== null;
  }

  get(field: string): unknown {
    return this.#spec[field];
  }

  fail(field: string, value: unknown, message: string): undefined {
    this.errors.push({
      field: `IngressClassParams ${this.#name}: spec.${field}`,
      value: shown(value),
      message,
    });
    return undefined;
  }

  /** A string field. */
  string(field: string): string | undefined {
    const v = this.get(field);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') {
      this.fail(field, v, 'must be a string');
      return;
    }
    return v;
  }

  /** A list of strings, as the comma-separated form an annotation takes. */
  stringList(field: string): string | undefined {
    const v = this.get(field);
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string' && !s.includes(','))) {
      this.fail(field, v, 'must be a list of strings (without commas)');
      return;
    }
    return v.join(',');
  }

  /** `[{key, value}]` as `k1=v1,k2=v2`. */
  keyValues(field: string, list: unknown): string | undefined {
    if (!Array.isArray(list)) {
      this.fail(field, list, 'must be a list of {key, value}');
      return;
    }
    const parts: string[] = [];
    for (const entry of list) {
      if (
        !isRecord(entry) ||
        typeof entry.key !== 'string' ||
        typeof entry.value !== 'string' ||
        /[,=]/.test(entry.key) ||
        entry.value.includes(',')
      ) {
        this.fail(
          field,
          entry,
          'each entry must be {key, value} with string key and value (no commas, no = in the key)',
        );
        return;
      }
      parts.push(`${entry.key}=${entry.value}`);
    }
    return parts.join(',');
  }

  /** Checks `raw` with the annotation's parser and records it as that annotation's value. */
  impose<T>(field: string, short: string, raw: string | undefined, parse: Parser<T>): void {
    if (raw === undefined) return;
    const result: Parsed<T> = parse(raw);
    if (!result.ok) {
      this.fail(field, raw, result.message);
      return;
    }
    this.annotations[albAnnotation(short)] = raw;
  }
}

function parseSelector(r: Reader, raw: unknown): LabelSelector | undefined {
  const field = 'namespaceSelector';
  if (!isRecord(raw)) {
    r.fail(field, raw, 'must be a label selector');
    return;
  }
  const matchLabels: Record<string, string> = {};
  if (raw.matchLabels !== undefined) {
    if (!isRecord(raw.matchLabels)) {
      r.fail(`${field}.matchLabels`, raw.matchLabels, 'must be a map of label to value');
      return;
    }
    for (const [k, v] of Object.entries(raw.matchLabels)) {
      if (typeof v !== 'string') {
        r.fail(`${field}.matchLabels.${k}`, v, 'must be a string');
        return;
      }
      matchLabels[k] = v;
    }
  }
  const matchExpressions: LabelSelectorRequirement[] = [];
  const expressions = raw.matchExpressions ?? [];
  if (!Array.isArray(expressions)) {
    r.fail(`${field}.matchExpressions`, expressions, 'must be a list');
    return;
  }
  for (const [i, e] of expressions.entries()) {
    const at = `${field}.matchExpressions[${i}]`;
    if (!isRecord(e) || typeof e.key !== 'string' || e.key === '') {
      r.fail(at, e, 'must be {key, operator, values}');
      return;
    }
    const op = e.operator;
    if (op !== 'In' && op !== 'NotIn' && op !== 'Exists' && op !== 'DoesNotExist') {
      r.fail(`${at}.operator`, op, "must be one of 'In', 'NotIn', 'Exists', 'DoesNotExist'");
      return;
    }
    const values = e.values ?? [];
    if (!Array.isArray(values) || !values.every((v) => typeof v === 'string')) {
      r.fail(`${at}.values`, values, 'must be a list of strings');
      return;
    }
    const needsValues = op === 'In' || op === 'NotIn';
    if (needsValues !== values.length > 0) {
      r.fail(
        `${at}.values`,
        values,
        needsValues ? `${op} needs at least one value` : `${op} takes no values`,
      );
      return;
    }
    matchExpressions.push({ key: e.key, operator: op, values: values });
  }
  return { matchLabels, matchExpressions };
}

function parseSubnets(r: Reader): Readonly<Record<string, readonly string[]>> | undefined {
  const raw = r.get('subnets');
  if (raw === undefined || raw === null) return undefined;
  if (!isRecord(raw) || (raw.ids === undefined) === (raw.tags === undefined)) {
    r.fail('subnets', raw, 'must give exactly one of ids and tags');
    return;
  }
  if (raw.ids !== undefined) {
    const ids = raw.ids;
    if (!Array.isArray(ids) || !ids.every((s) => typeof s === 'string')) {
      r.fail('subnets.ids', ids, 'must be a list of subnet IDs');
      return;
    }
    r.impose('subnets.ids', 'subnets', ids.join(','), SUBNET_IDS);
    return undefined;
  }
  const tags = raw.tags;
  const ok =
    isRecord(tags) &&
    Object.keys(tags).length > 0 &&
    Object.values(tags).every((v) => Array.isArray(v) && v.every((s) => typeof s === 'string'));
  if (!ok) {
    r.fail('subnets.tags', tags, 'must be a map of tag key to a list of values');
    return;
  }
  return tags as Record<string, string[]>;
}

function parseTagList(r: Reader): Readonly<Record<string, string>> | undefined {
  if (!r.has('tags')) return undefined;
  const raw = r.keyValues('tags', r.get('tags'));
  if (raw === undefined) return undefined;
  if (raw === '') return {};
  const parsed = parseTags(raw);
  if (!parsed.ok) {
    r.fail('tags', r.get('tags'), parsed.message);
    return;
  }
  return parsed.value;
}

function parseListeners(r: Reader): void {
  const list = r.get('listeners');
  if (list === undefined || list === null) return;
  if (!Array.isArray(list)) {
    r.fail('listeners', list, 'must be a list of {protocol, port, listenerAttributes}');
    return;
  }
  for (const [i, l] of list.entries()) {
    const at = `listeners[${i}]`;
    if (!isRecord(l) || (l.protocol !== 'HTTP' && l.protocol !== 'HTTPS')) {
      r.fail(`${at}.protocol`, isRecord(l) ? l.protocol : l, "must be 'HTTP' or 'HTTPS'");
      continue;
    }
    const port = l.port;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
      r.fail(`${at}.port`, port, 'must be a port number from 1 to 65535');
      continue;
    }
    if (l.listenerAttributes === undefined) continue;
    const raw = r.keyValues(`${at}.listenerAttributes`, l.listenerAttributes);
    if (raw === undefined || raw === '') continue;
    r.impose(
      `${at}.listenerAttributes`,
      `listener-attributes.${l.protocol}-${port}`,
      raw,
      parseAttributes,
    );
  }
}

function nested(r: Reader, field: string, key: string): unknown {
  const raw = r.get(field);
  if (raw === undefined || raw === null) return undefined;
  if (!isRecord(raw)) {
    r.fail(field, raw, `must be an object with ${key}`);
    return;
  }
  if (raw[key] === undefined) {
    r.fail(`${field}.${key}`, '', 'is required');
    return;
  }
  return raw[key];
}

/** Reads one params object's spec. Unknown fields are ignored, as the API server prunes them. */
export function parseClassParams(
  name: string,
  spec: unknown,
): { readonly value: ClassParams; readonly errors: readonly ClassParamsError[] } {
  const r = new Reader(name, isRecord(spec) ? spec : {});
  r.impose(
    'loadBalancerName',
    'load-balancer-name',
    r.string('loadBalancerName'),
    parseLoadBalancerName,
  );
  r.impose(
    'certificateArn',
    'certificate-arn',
    r.stringList('certificateArn'),
    parseCertificateArns,
  );
  r.impose('scheme', 'scheme', r.string('scheme'), parseScheme);
  r.impose('ipAddressType', 'ip-address-type', r.string('ipAddressType'), parseIpAddressType);
  r.impose('inboundCIDRs', 'inbound-cidrs', r.stringList('inboundCIDRs'), parseInboundCidrs);
  // The newer spelling wins; the older one is what manifests from before v2.13 say.
  const prefixField = r.has('prefixListsIDs') ? 'prefixListsIDs' : 'PrefixListsIDs';
  r.impose(prefixField, 'security-group-prefix-lists', r.stringList(prefixField), PREFIX_LIST);
  r.impose('sslPolicy', 'ssl-policy', r.string('sslPolicy'), parseSslPolicy);
  const redirect = r.get('sslRedirectPort');
  if (typeof redirect === 'number' || typeof redirect === 'string') {
    r.impose('sslRedirectPort', 'ssl-redirect', String(redirect), parseSslRedirect);
  } else if (redirect !== undefined && redirect !== null) {
    r.fail('sslRedirectPort', redirect, 'must be a port number from 1 to 65535');
  }
  const subnetTags = parseSubnets(r);
  const tags = parseTagList(r);
  r.impose('targetType', 'target-type', r.string('targetType'), parseTargetType);
  if (r.has('loadBalancerAttributes')) {
    const raw = r.keyValues('loadBalancerAttributes', r.get('loadBalancerAttributes'));
    if (raw !== '')
      r.impose('loadBalancerAttributes', 'load-balancer-attributes', raw, parseAttributes);
  }
  parseListeners(r);
  const units = nested(r, 'minimumLoadBalancerCapacity', 'capacityUnits');
  if (units !== undefined) {
    if (typeof units === 'number' && Number.isInteger(units) && units >= 0) {
      r.annotations[albAnnotation('minimum-load-balancer-capacity')] = `CapacityUnits=${units}`;
    } else {
      r.fail('minimumLoadBalancerCapacity.capacityUnits', units, 'must be a whole number ≥ 0');
    }
  }
  const pool = nested(r, 'ipamConfiguration', 'ipv4IPAMPoolId');
  if (pool !== undefined) {
    if (typeof pool === 'string') {
      r.impose('ipamConfiguration.ipv4IPAMPoolId', 'ipam-ipv4-pool-id', pool, IPAM_POOL);
    } else r.fail('ipamConfiguration.ipv4IPAMPoolId', pool, 'must be a string');
  }
  r.impose('wafv2AclArn', 'wafv2-acl-arn', r.string('wafv2AclArn'), WAFV2_ARN);
  r.impose('wafv2AclName', 'wafv2-acl-name', r.string('wafv2AclName'), WAFV2_NAME);

  const group = nested(r, 'group', 'name');
  let groupName: string | undefined;
  if (group !== undefined) {
    const parsed = typeof group === 'string' ? GROUP_NAME(group) : bad<string>('must be a string');
    if (parsed.ok) groupName = parsed.value;
    else r.fail('group.name', group, parsed.message);
  }
  const selector = r.get('namespaceSelector');
  const namespaceSelector =
    selector === undefined || selector === null ? undefined : parseSelector(r, selector);

  const serviceAnnotations = Object.fromEntries(
    Object.entries(r.annotations).filter(([k]) => SERVICE_LEVEL.has(k)),
  );
  return {
    value: {
      name,
      namespaceSelector,
      groupName,
      tags,
      subnetTags,
      annotations: { ...r.annotations },
      serviceAnnotations,
    },
    errors: r.errors,
  };
}

/**
 * Map annotations whose params value merges with the Ingress's, key by key (the params'
 * value wins a key), as the reference controller merges them; the others are replaced.
 */
function mergesByKey(name: string): boolean {
  return (
    name === albAnnotation('load-balancer-attributes') ||
    name.startsWith(albAnnotation('listener-attributes.'))
  );
}

const WAFV2_RIVALS: Readonly<Record<string, string>> = {
  [albAnnotation('wafv2-acl-arn')]: albAnnotation('wafv2-acl-name'),
  [albAnnotation('wafv2-acl-name')]: albAnnotation('wafv2-acl-arn'),
};

/**
 * An Ingress's annotations with the params laid over them. A merged map whose own value
 * is malformed is left as written, so its error is still reported on the Ingress.
 */
export function overlayAnnotations(
  own: AnnotationMap | undefined,
  params: ClassParams,
): AnnotationMap {
  // A web ACL from the params replaces the Ingress's, whichever way either names it.
  const rivals = new Set(Object.keys(params.annotations).flatMap((n) => WAFV2_RIVALS[n] ?? []));
  const out: Record<string, string> = Object.fromEntries(
    Object.entries(own ?? {}).filter(([k]) => !rivals.has(k)),
  );
  for (const [name, value] of Object.entries(params.annotations)) {
    const mine = own?.[name];
    if (mine === undefined || !mergesByKey(name)) {
      out[name] = value;
      continue;
    }
    const a = parseMap(mine);
    const b = parseMap(value);
    if (!a.ok || !b.ok) continue;
    out[name] = Object.entries({ ...a.value, ...b.value })
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
  }
  return out;
}

/** Whether `labels` satisfy `selector` (every requirement, as Kubernetes evaluates them). */
export function selectorMatches(
  selector: LabelSelector,
  labels: Readonly<Record<string, string>>,
): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels)) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions) {
    const has = Object.hasOwn(labels, e.key);
    const value = labels[e.key];
    const inValues = has && value !== undefined && e.values.includes(value);
    if (e.operator === 'In' && !inValues) return false;
    if (e.operator === 'NotIn' && inValues) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** A selector as `kubectl` writes it, for messages. */
export function showSelector(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels).map(([k, v]) => `${k}=${v}`);
  for (const e of selector.matchExpressions) {
    if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
    else parts.push(`${e.key} ${e.operator === 'In' ? 'in' : 'notin'} (${e.values.join(',')})`);
  }
  return parts.length === 0 ? '(everything)' : parts.join(',');
}
