/**
 * The listen ports of a group: each member's, merged, one protocol per port.
 *
 * A member's ports, as the reference controller: `listen-ports` when given, else HTTPS:443
 * when the member gives certificates, else HTTP:80. Beyond it, a member with `spec.tls`
 * and neither also gets HTTPS:443, with certificate discovery for its TLS hosts, next to
 * HTTP:80: the Ingress API says TLS terminates on 443, and the reference ignores
 * `spec.tls`. That port is implicit, so a manifest that serves HTTP today keeps serving it:
 *
 * - it gives way: implicit ports are merged after every explicit one, and where a member
 *   made 443 HTTP the implicit HTTPS is a warning, not a conflict that freezes;
 * - a member for which no certificate is found leaves the port (certificate-discovery.ts
 *   reports it as `dropped`, with a warning); a listener left with no member goes.
 *
 * Only the members that ask for it get it: in a group, a member with `listen-ports` has
 * exactly those ports, and its rules are not copied onto 443 because another member's
 * `spec.tls` made that listener.
 */
import { albAnnotation } from '../annotations/index.ts';
import type { ListenerProtocol, Problem } from '../model/index.ts';
import { explicitCertificates } from './certificate-discovery.ts';
import type { MemberDraft } from './drafts.ts';
import { conflictWarning } from './group-rules.ts';
import { problem } from './problems.ts';

interface MemberPort {
  readonly protocol: ListenerProtocol;
  readonly port: number;
  readonly implicit?: true;
}

function memberListenPorts(d: MemberDraft): readonly MemberPort[] {
  const failed = d.problems.some((p) => p.field === albAnnotation('listen-ports'));
  if (failed) return [];
  if (d.annotations.listenPorts !== undefined) return d.annotations.listenPorts;
  if (explicitCertificates(d) !== undefined) return [{ protocol: 'HTTPS', port: 443 }];
  return d.tlsHosts === undefined
    ? [{ protocol: 'HTTP', port: 80 }]
    : [
        { protocol: 'HTTP', port: 80 },
        { protocol: 'HTTPS', port: 443, implicit: true },
      ];
}

export interface GroupPorts {
  readonly listeners: Map<number, ListenerProtocol>;
  /** Each member's ports (mutable: certificate discovery may drop an implicit one). */
  readonly portsOf: Map<string, number[]>;
  /** By port, the members on it implicitly. */
  readonly implicitOn: ReadonlyMap<number, ReadonlySet<string>>;
}

export function groupListenPorts(
  drafts: readonly MemberDraft[],
  report: (p: Problem) => void,
): GroupPorts {
  const listeners = new Map<number, ListenerProtocol>();
  const owners = new Map<number, string>();
  const portsOf = new Map<string, number[]>(drafts.map((d) => [d.key, []]));
  const implicitOn = new Map<number, Set<string>>();
  for (const implicitPass of [false, true]) {
    for (const d of drafts) {
      const mine = portsOf.get(d.key) ?? [];
      for (const lp of memberListenPorts(d)) {
        if ((lp.implicit === true) !== implicitPass) continue;
        const had = listeners.get(lp.port);
        const shown = JSON.stringify({ [lp.protocol]: lp.port });
        if (had !== undefined && had !== lp.protocol) {
          if (implicitPass) {
            report(
              problem(
                d.key,
                'spec.tls',
                shown,
                `port ${lp.port} is an ${had} listener of this group (set by ${owners.get(lp.port) ?? ''}), so spec.tls gets no HTTPS listener there and HTTP keeps serving; set listen-ports to choose an HTTPS port`,
                'warning',
              ),
            );
            continue;
          }
          report(
            problem(
              d.key,
              albAnnotation('listen-ports'),
              shown,
              `port ${lp.port} is already an ${had} listener of this group; a port has one protocol`,
            ),
          );
          report(
            conflictWarning(
              owners.get(lp.port) ?? '',
              'listen-ports',
              JSON.stringify({ [had]: lp.port }),
              d.key,
              shown,
            ),
          );
          continue;
        }
        if (!owners.has(lp.port)) owners.set(lp.port, d.key);
        listeners.set(lp.port, lp.protocol);
        mine.push(lp.port);
        if (lp.implicit === true) {
          implicitOn.set(lp.port, (implicitOn.get(lp.port) ?? new Set()).add(d.key));
        }
      }
    }
  }
  return { listeners, portsOf, implicitOn };
}
