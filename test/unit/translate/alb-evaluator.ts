/**
 * An ALB rule evaluator written from ALB's documented matching rules, for tests: rules
 * by ascending priority, first match wins; every condition must match; a condition with
 * several values matches when any value does; host-header is case-insensitive, path-pattern
 * case-sensitive; `*` matches any characters (dots and slashes included), `?` exactly one;
 * regex values are full-match regular expressions. No rule matches → the default action.
 */
import type { Action, RuleCondition, Stack, ValuesConfig } from '../../../pkg/model/index.ts';

export interface Request {
  readonly host: string;
  readonly path: string;
}

function globToRegex(glob: string): RegExp {
  const body = Array.from(glob)
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 's');
}

function matchValues(
  cfg: ValuesConfig | undefined,
  subject: string,
  caseInsensitive: boolean,
): boolean {
  if (cfg === undefined) return false;
  const s = caseInsensitive ? subject.toLowerCase() : subject;
  const plain = (cfg.Values ?? []).some((v) =>
    globToRegex(caseInsensitive ? v.toLowerCase() : v).test(s),
  );
  const regex = (cfg.RegexValues ?? []).some((r) => new RegExp(`^(?:${r})$`).test(s));
  return plain || regex;
}

function matches(c: RuleCondition, req: Request): boolean {
  if (c.Field === 'host-header') return matchValues(c.HostHeaderConfig, req.host, true);
  if (c.Field === 'path-pattern') return matchValues(c.PathPatternConfig, req.path, false);
  return false; // the property test generates no other condition
}

/** What a request ends at: `namespace/service:port` for ours, `fixed:<code>` otherwise. */
function outcome(stack: Stack, actions: readonly Action[]): string {
  const a = actions[0];
  if (a?.Type === 'fixed-response') return `fixed:${a.FixedResponseConfig?.StatusCode ?? ''}`;
  const id = a?.ForwardConfig?.TargetGroups[0]?.TargetGroupId;
  const tg = stack.targetGroups.find((t) => t.id === id);
  return tg === undefined ? `unknown:${a?.Type ?? 'none'}` : tg.service;
}

export function albSelect(stack: Stack, port: number, req: Request): string {
  const listener = stack.listeners.find((l) => l.port === port);
  if (listener === undefined) return 'no-listener';
  const rules = stack.rules
    .filter((r) => r.listenerId === listener.id)
    .sort((a, b) => a.priority - b.priority);
  for (const r of rules) {
    if (r.conditions.every((c) => matches(c, req))) return outcome(stack, r.actions);
  }
  return outcome(stack, listener.defaultActions);
}
