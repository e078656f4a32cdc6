/**
 * The Ingress specification's routing, for tests: a host rule matches its exact host
 * (case-insensitive) or, for `*.suffix`, exactly one extra DNS label; a rule without host
 * matches every host. `Exact` matches the path exactly; `Prefix` matches element-wise
 * (`/foo` matches `/foo`, `/foo/`, `/foo/bar`, not `/foobar`; a trailing slash in the
 * Ingress path is ignored). Among matches: `group.order`, then most specific host (exact,
 * wildcard, none), then longest path, Exact over Prefix, then member and manifest order.
 */
import type { IngressGroup } from '../../../pkg/ingress/group.ts';
import type { Request } from './alb-evaluator.ts';

function hostRank(ruleHost: string | undefined, host: string): number | undefined {
  const h = host.toLowerCase();
  if (ruleHost === undefined || ruleHost === '') return 2;
  if (ruleHost.startsWith('*.')) {
    const suffix = ruleHost.slice(1);
    if (!h.endsWith(suffix)) return undefined;
    const label = h.slice(0, h.length - suffix.length);
    return label !== '' && !label.includes('.') ? 1 : undefined;
  }
  return ruleHost === h ? 0 : undefined;
}

function pathMatch(type: string, p: string, path: string): number | undefined {
  if (type === 'Exact') return p === path ? p.length : undefined;
  const n = p.replace(/\/+$/, '');
  if (n === '') return 0;
  return path === n || path.startsWith(`${n}/`) ? n.length : undefined;
}

export function specSelect(group: IngressGroup, req: Request): string {
  let best: { readonly key: readonly number[]; readonly backend: string } | undefined;
  group.members.forEach((m, mi) => {
    const ns = m.ingress.metadata?.namespace ?? 'default';
    let manifest = 0;
    for (const rule of m.ingress.spec?.rules ?? []) {
      const hr = hostRank(rule.host, req.host);
      for (const p of rule.http?.paths ?? []) {
        manifest++;
        if (hr === undefined) continue;
        const len = pathMatch(p.pathType, p.path ?? '', req.path);
        if (len === undefined) continue;
        const svc = p.backend.service;
        const backend = `${ns}/${svc?.name ?? ''}:${svc?.port?.number ?? svc?.port?.name ?? ''}`;
        const key = [m.order, hr, -len, p.pathType === 'Exact' ? 0 : 1, mi, manifest];
        if (best === undefined || compare(key, best.key) < 0) best = { key, backend };
      }
    }
  });
  return best?.backend ?? 'fixed:404';
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
