/**
 * One host-header and one path-pattern condition per rule. ALB takes at most one of each
 * in a rule, so a `conditions.${name}` annotation that adds hosts or paths to a rule that
 * already has them merges its values into the rule's condition: the request matches when
 * its host (path) matches any of them, an OR, as the reference controller does and
 * documents. Every other condition stays a condition of its own, ANDed.
 *
 * A condition holds `Values` or `RegexValues`, never both. When the values to merge are of
 * both kinds (our wildcard hosts and literal `*` paths are regex values, an annotation may
 * give plain values), the plain ones become the regex that matches exactly what they
 * match: ALB's `*` is any characters and `?` one, and a host is matched case-insensitively,
 * which a lower-cased value against ALB's lower-cased host keeps. The reference refuses
 * that mix; its wildcard hosts are plain values, so a manifest it accepts (a wildcard host
 * and plain extra hosts) would be refused here without the conversion.
 */
import type { RuleCondition, ValuesConfig } from '../model/index.ts';
import { escapeRegex } from './paths.ts';
import type { Translated } from './paths.ts';

/** ALB's limit on one value of a host-header or path-pattern condition. */
const MAX_VALUE = 128;

type Merged = 'host-header' | 'path-pattern';

function configOf(c: RuleCondition, field: Merged): ValuesConfig | undefined {
  return field === 'host-header' ? c.HostHeaderConfig : c.PathPatternConfig;
}

function withConfig(field: Merged, config: ValuesConfig): RuleCondition {
  return field === 'host-header'
    ? { Field: field, HostHeaderConfig: config }
    : { Field: field, PathPatternConfig: config };
}

/** The full-match regex of an ALB wildcard value. */
function valueRegex(value: string, field: Merged): string {
  const v = field === 'host-header' ? value.toLowerCase() : value;
  const body = Array.from(v)
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : escapeRegex(ch)))
    .join('');
  return `^${body}$`;
}

function mergeConfigs(configs: readonly ValuesConfig[], field: Merged): Translated<ValuesConfig> {
  const plain = configs.flatMap((c) => c.Values ?? []);
  const regex = configs.flatMap((c) => c.RegexValues ?? []);
  if (regex.length === 0) return { ok: true, value: { Values: [...new Set(plain)] } };
  const all = [
    ...new Set([
      ...configs.flatMap((c) => [
        ...(c.Values ?? []).map((v) => valueRegex(v, field)),
        ...(c.RegexValues ?? []),
      ]),
    ]),
  ];
  const long = all.find((v) => v.length > MAX_VALUE);
  if (long !== undefined) {
    return {
      ok: false,
      message: `merges ${field} values into the rule's one ${field} condition; a mix of values and regexValues takes regexValues only, and '${long}' has ${long.length} characters where ALB allows at most ${MAX_VALUE}`,
    };
  }
  return { ok: true, value: { RegexValues: all } };
}

/**
 * Folds every host-header (path-pattern) condition of `conditions` into the first one,
 * in order: the rule's own values first, then the annotation's.
 */
export function foldMatchConditions(
  conditions: readonly RuleCondition[],
): Translated<readonly RuleCondition[]> {
  let out = [...conditions];
  for (const field of ['host-header', 'path-pattern'] as const) {
    const same = out.filter((c) => c.Field === field);
    if (same.length < 2) continue;
    const merged = mergeConfigs(
      same.flatMap((c) => {
        const config = configOf(c, field);
        return config === undefined ? [] : [config];
      }),
      field,
    );
    if (!merged.ok) return merged;
    const first = out.findIndex((c) => c.Field === field);
    out = out.flatMap((c, i): RuleCondition[] =>
      i === first ? [withConfig(field, merged.value)] : c.Field === field ? [] : [c],
    );
  }
  return { ok: true, value: out };
}
