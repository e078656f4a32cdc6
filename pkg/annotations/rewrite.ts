/**
 * `ingress.kubernetes.io/rewrite-target` and `nginx.ingress.kubernetes.io/rewrite-target`
 * in their plain form: the matched path prefix is replaced by the target (`/web/a` with
 * target `/` → `/a`). ALB expresses this as a url-rewrite transform. The capture-group
 * form (`/$1`, `/\1`) refers to groups of an nginx regex path, which an ALB rule does not
 * have, so it is refused rather than half-translated.
 */
import { bad, ok } from './parsed.ts';
import type { Parsed } from './parsed.ts';

export const REWRITE_TARGET_ANNOTATIONS = [
  'ingress.kubernetes.io/rewrite-target',
  'nginx.ingress.kubernetes.io/rewrite-target',
] as const;

export function parseRewriteTarget(raw: string): Parsed<string> {
  if (/\$[0-9{]|\\[0-9]/.test(raw)) {
    return bad(
      "uses capture groups, which an ALB cannot express; only a plain path that replaces the matched prefix is allowed (e.g. '/')",
    );
  }
  if (!raw.startsWith('/') || /[\s?#*]/.test(raw)) {
    return bad(
      "must be a path starting with '/', without spaces, '?', '#' or '*' (e.g. '/' or '/api')",
    );
  }
  return ok(raw);
}
