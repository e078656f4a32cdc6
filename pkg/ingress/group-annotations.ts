/**
 * `group.name` and `group.order`: the two annotations that decide which ALB an Ingress
 * joins and where its rules go. Parsed here rather than in pkg/annotations because
 * grouping happens before any stack is built.
 */
import type { Problem } from '../model/index.ts';

export const GROUP_NAME_ANNOTATION = 'alb.ingress.kubernetes.io/group.name';
export const GROUP_ORDER_ANNOTATION = 'alb.ingress.kubernetes.io/group.order';

const GROUP_NAME = /^([a-z0-9][-a-z0-9.]*)?[a-z0-9]$/;
const GROUP_NAME_MAX = 63;
const ORDER_MIN = -1000;
const ORDER_MAX = 1000;

export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: Problem };

/** `undefined` = no explicit group (the Ingress is its own group). */
export function parseGroupName(
  ingressKey: string,
  raw: string | undefined,
): Parsed<string | undefined> {
  if (raw === undefined) return { ok: true, value: undefined };
  if (raw.length <= GROUP_NAME_MAX && GROUP_NAME.test(raw)) return { ok: true, value: raw };
  return {
    ok: false,
    problem: {
      ingress: ingressKey,
      field: GROUP_NAME_ANNOTATION,
      value: raw,
      message:
        `group name must be 1 to ${GROUP_NAME_MAX} characters of lower-case letters, digits, ` +
        `'-' and '.', starting and ending with a letter or digit`,
      severity: 'error',
    },
  };
}

/** 0 when absent. */
export function parseGroupOrder(ingressKey: string, raw: string | undefined): Parsed<number> {
  if (raw === undefined) return { ok: true, value: 0 };
  const trimmed = raw.trim();
  if (/^[-+]?\d{1,5}$/.test(trimmed)) {
    const value = Number(trimmed);
    if (value >= ORDER_MIN && value <= ORDER_MAX)
      return { ok: true, value: value === 0 ? 0 : value };
  }
  return {
    ok: false,
    problem: {
      ingress: ingressKey,
      field: GROUP_ORDER_ANNOTATION,
      value: raw,
      message: `group order must be an integer from ${ORDER_MIN} to ${ORDER_MAX}`,
      severity: 'error',
    },
  };
}
