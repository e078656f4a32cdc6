/**
 * Host and path translation. ALB's wildcards (`*` any characters, dots and slashes
 * included; `?` one character) mean something else than the Ingress specification, so
 * wherever plain values would route differently we use ALB regex values instead:
 *
 * - `Prefix /foo` (or `/foo/`) → `/foo` and `/foo/*`: matches `/foo` and everything
 *   under `/foo/`, never `/foobar` — element-wise, as the specification says;
 * - `Prefix /` or no path → `/*`;
 * - `Exact /foo` → `/foo`;
 * - a literal `*` or `?` in an Exact or Prefix path → an anchored regex (a plain value
 *   would treat it as a wildcard);
 * - `ImplementationSpecific` → the path passed through as an ALB pattern (as the
 *   reference controller does), or as an ALB regex with `use-regex-path-match`;
 * - host `*.example.com` → regex `^[^.]+\.example\.com$`: the specification's wildcard
 *   matches exactly one DNS label, ALB's `*.example.com` would also match
 *   `a.b.example.com`.
 */
import type { RuleCondition, RuleTransform, ValuesConfig } from '../model/index.ts';

export type PathType = 'Exact' | 'Prefix' | 'ImplementationSpecific';
export type HostKind = 'exact' | 'wildcard' | 'none';

/** ALB path-pattern characters besides letters and digits (`*` and `?` are wildcards). */
const PATH_CHARS = /^[A-Za-z0-9_\-.$/~"'@:+;&*?]*$/;
const MAX_PATTERN = 128;

export function escapeRegex(s: string): string {
  return s.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

export type Translated<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

const DNS_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const HOST = new RegExp(`^${DNS_LABEL}(\\.${DNS_LABEL})*$`);

export interface HostMatch {
  readonly kind: HostKind;
  readonly condition: RuleCondition | undefined;
}

export function translateHost(hostValue: string | undefined): Translated<HostMatch> {
  const host: unknown = hostValue;
  if (host === undefined || host === null || host === '')
    return { ok: true, value: { kind: 'none', condition: undefined } };
  const allowed =
    "must be a lower-case DNS name (e.g. 'foo.example.com') or a wildcard whose '*' is the whole first label (e.g. '*.example.com')";
  if (typeof host !== 'string') return { ok: false, message: allowed };
  if (host.startsWith('*.')) {
    const rest = host.slice(2);
    if (!HOST.test(rest) || host.length > 253) return { ok: false, message: allowed };
    return {
      ok: true,
      value: {
        kind: 'wildcard',
        condition: {
          Field: 'host-header',
          HostHeaderConfig: { RegexValues: [`^[^.]+\\.${escapeRegex(rest)}$`] },
        },
      },
    };
  }
  if (!HOST.test(host) || host.length > 253) return { ok: false, message: allowed };
  return {
    ok: true,
    value: {
      kind: 'exact',
      condition: { Field: 'host-header', HostHeaderConfig: { Values: [host] } },
    },
  };
}

export interface PathMatch {
  readonly type: PathType;
  /** The path as written (`''` when absent). */
  readonly path: string;
  /** What the ordering compares: the path without a Prefix's trailing slash. */
  readonly length: number;
  /** `undefined` when the Ingress gave no path (the caller may take an annotation's). */
  readonly config: ValuesConfig | undefined;
  /** The path is an ALB regex (`use-regex-path-match`), not a pattern. */
  readonly regex?: boolean;
}

/**
 * An ImplementationSpecific path under `use-regex-path-match`: an ALB regex value.
 * Kubernetes makes every path start with `/`, so the regex is what follows that `/` (as
 * the reference controller reads it: `/^/api/.+$` is the regex `^/api/.+$`); kept, the
 * `/` would make an anchored regex that no request path can match. ALB's regex dialect is
 * close to the common one; a pattern JavaScript cannot compile is refused here rather
 * than by AWS halfway through an apply.
 */
function translateRegexPath(p: string): Translated<PathMatch> {
  const example = "e.g. '/^/api/v[0-9]+/.*$' for the regex '^/api/v[0-9]+/.*$'";
  if (!p.startsWith('/')) {
    return {
      ok: false,
      message: `with use-regex-path-match must start with '/', which Kubernetes requires and which is dropped before the rest is used as the regex, ${example}`,
    };
  }
  const regex = p.slice(1);
  if (regex === '') {
    return {
      ok: false,
      message: `with use-regex-path-match an ImplementationSpecific path must be '/' followed by a non-empty regex, ${example}`,
    };
  }
  try {
    new RegExp(regex);
  } catch {
    return {
      ok: false,
      message: `with use-regex-path-match must be '/' followed by a valid regular expression, ${example}`,
    };
  }
  const config: ValuesConfig = { RegexValues: [regex] };
  const tooLong = checkPatterns(config);
  if (tooLong !== undefined) return { ok: false, message: tooLong };
  return {
    ok: true,
    value: { type: 'ImplementationSpecific', path: p, length: p.length, config, regex: true },
  };
}

function hasWildcard(s: string): boolean {
  return s.includes('*') || s.includes('?');
}

function checkPatterns(config: ValuesConfig): string | undefined {
  for (const v of [...(config.Values ?? []), ...(config.RegexValues ?? [])]) {
    if (v.length > MAX_PATTERN) {
      return `translates to the ALB path pattern '${v}' of ${v.length} characters; ALB allows at most ${MAX_PATTERN}`;
    }
  }
  return undefined;
}

export function translatePath(
  pathType: string | undefined,
  path: string | undefined,
  useRegex = false,
): Translated<PathMatch> {
  const type: PathType | undefined =
    pathType === 'Exact' || pathType === 'Prefix' || pathType === 'ImplementationSpecific'
      ? pathType
      : undefined;
  if (type === undefined) {
    return { ok: false, message: "pathType must be 'Exact', 'Prefix' or 'ImplementationSpecific'" };
  }
  const given: unknown = path;
  if (given !== undefined && given !== null && typeof given !== 'string') {
    return { ok: false, message: "must be a string starting with '/'" };
  }
  const p = typeof given === 'string' ? given : '';
  if (useRegex && type === 'ImplementationSpecific') return translateRegexPath(p);
  if (p === '') {
    if (type === 'Exact')
      return { ok: false, message: "an Exact path must be given and start with '/'" };
    return { ok: true, value: { type, path: '', length: 0, config: undefined } };
  }
  if (!p.startsWith('/')) return { ok: false, message: "must start with '/'" };
  if (!PATH_CHARS.test(p)) {
    return {
      ok: false,
      message:
        'contains a character an ALB path pattern cannot match; allowed are letters, digits and _ - . $ / ~ " \' @ : + ; & (and * ? as literal characters in Exact and Prefix paths)',
    };
  }
  let config: ValuesConfig;
  let length = p.length;
  if (type === 'Exact') {
    config = hasWildcard(p) ? { RegexValues: [`^${escapeRegex(p)}$`] } : { Values: [p] };
  } else if (type === 'Prefix') {
    const n = p.replace(/\/+$/, '');
    length = n.length;
    if (n === '') config = { Values: ['/*'] };
    else if (hasWildcard(n)) config = { RegexValues: [`^${escapeRegex(n)}(/.*)?$`] };
    else config = { Values: [n, `${n}/*`] };
  } else {
    config = { Values: [p] };
  }
  const tooLong = checkPatterns(config);
  if (tooLong !== undefined) return { ok: false, message: tooLong };
  return { ok: true, value: { type, path: p, length, config } };
}

/** `/*`: what a rule without a path matches. */
export const ANY_PATH: ValuesConfig = { Values: ['/*'] };

/**
 * The url-rewrite transform of a plain `rewrite-target`: the matched prefix is replaced by
 * the target, the rest of the path kept (`/web/a` with target `/` → `/a`).
 */
export function rewriteTransform(match: PathMatch, target: string): Translated<RuleTransform> {
  const wrap = (regex: string, replace: string): Translated<RuleTransform> => ({
    ok: true,
    value: {
      Type: 'url-rewrite',
      UrlRewriteConfig: { Rewrites: [{ Regex: regex, Replace: replace }] },
    },
  });
  if (match.regex === true) {
    return {
      ok: false,
      message:
        'rewrite-target cannot be combined with use-regex-path-match paths; give the rewrite as a transforms.* annotation with its own regex',
    };
  }
  if (match.type === 'Exact') return wrap(`^${escapeRegex(match.path)}$`, target);
  if (match.type === 'ImplementationSpecific' && hasWildcard(match.path)) {
    return {
      ok: false,
      message:
        'rewrite-target cannot be combined with an ImplementationSpecific path that uses ALB wildcards',
    };
  }
  const prefix = escapeRegex(match.path.replace(/\/+$/, ''));
  const t = target.replace(/\/+$/, '');
  return t === '' ? wrap(`^${prefix}/?(.*)$`, '/$1') : wrap(`^${prefix}(/.*)?$`, `${t}$1`);
}

/** ALB counts every value of every condition against its limit of 5 per rule. */
export function matchEvaluations(conditions: readonly RuleCondition[]): number {
  let n = 0;
  for (const c of conditions) {
    const v = c.HostHeaderConfig ?? c.PathPatternConfig ?? c.HttpHeaderConfig ?? undefined;
    if (v !== undefined) n += (v.Values?.length ?? 0) + (v.RegexValues?.length ?? 0);
    n += c.HttpRequestMethodConfig?.Values.length ?? 0;
    n += c.QueryStringConfig?.Values.length ?? 0;
    n += c.SourceIpConfig?.Values.length ?? 0;
  }
  return n;
}
