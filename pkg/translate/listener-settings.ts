/**
 * Listener-level settings that members give per port: `mutual-authentication` and
 * `listener-attributes.${Protocol}-${Port}`. A listener is shared by the group, so, like
 * the other group settings, the first member in order that sets a value wins and a later
 * member setting another value is frozen with an error naming the first. A member may
 * only configure a listener it listens on, with that listener's protocol, and mutual TLS
 * only on HTTPS.
 */
import { albAnnotation, LISTENER_ATTRIBUTES_PREFIX } from '../annotations/index.ts';
import type {
  Attributes,
  ListenerProtocol,
  MutualAuthentication,
  Problem,
} from '../model/index.ts';
import type { MemberDraft } from './drafts.ts';
import { problem } from './problems.ts';

export interface ListenerSettings {
  readonly mutualAuthentication?: MutualAuthentication;
  readonly attributes: Attributes;
}

const MTLS = albAnnotation('mutual-authentication');

function show(m: MutualAuthentication): string {
  return JSON.stringify(m);
}

export function listenerSettings(
  drafts: readonly MemberDraft[],
  portsOf: ReadonlyMap<string, readonly number[]>,
  protocolOf: (port: number) => ListenerProtocol | undefined,
  report: (p: Problem) => void,
): ReadonlyMap<number, ListenerSettings> {
  const mtls = new Map<number, { value: MutualAuthentication; owner: string }>();
  const attributes = new Map<number, Record<string, string>>();
  const attributeOwners = new Map<string, string>();
  for (const d of drafts) {
    const mine = portsOf.get(d.key) ?? [];
    const portsText = mine.length === 0 ? 'none' : mine.join(', ');
    for (const { port, settings } of d.annotations.mutualAuthentication ?? []) {
      const value = JSON.stringify({ port, ...settings });
      if (!mine.includes(port) || protocolOf(port) !== 'HTTPS') {
        report(
          problem(
            d.key,
            MTLS,
            value,
            `port ${port} is not an HTTPS listen port of this Ingress (its listen ports: ${portsText}); mutual TLS applies to HTTPS listeners only`,
          ),
        );
        continue;
      }
      const first = mtls.get(port);
      if (first === undefined) mtls.set(port, { value: settings, owner: d.key });
      else if (show(first.value) !== show(settings)) {
        report(
          problem(
            d.key,
            MTLS,
            value,
            `conflicts with ${first.owner}, which sets ${show(first.value)} for port ${port}; in a group a listener's mutual TLS must be set on one member only or the same on all`,
          ),
        );
      }
    }
    for (const [suffix, values] of d.annotations.listenerAttributes) {
      const field = albAnnotation(`${LISTENER_ATTRIBUTES_PREFIX}${suffix}`);
      const [protocol, portText] = suffix.split('-');
      const port = Number(portText);
      if (!mine.includes(port) || protocolOf(port) !== protocol) {
        report(
          problem(
            d.key,
            field,
            Object.entries(values)
              .map(([k, v]) => `${k}=${v}`)
              .join(','),
            `names no listener of this Ingress: ${protocol ?? ''} port ${port} is not one of its listen ports (${mine.map((p) => `${protocolOf(p) ?? ''}-${p}`).join(', ') || 'none'})`,
          ),
        );
        continue;
      }
      const merged = attributes.get(port) ?? {};
      for (const [k, v] of Object.entries(values)) {
        const had = merged[k];
        const ownerKey = `${port}/${k}`;
        if (had === undefined) {
          merged[k] = v;
          attributeOwners.set(ownerKey, d.key);
        } else if (had !== v) {
          report(
            problem(
              d.key,
              field,
              `${k}=${v}`,
              `conflicts with ${attributeOwners.get(ownerKey) ?? ''}, which sets ${k}=${had}; in a group a key must have the same value on every member that sets it`,
            ),
          );
        }
      }
      attributes.set(port, merged);
    }
  }
  const out = new Map<number, ListenerSettings>();
  for (const port of new Set([...mtls.keys(), ...attributes.keys()])) {
    const m = mtls.get(port)?.value;
    out.set(port, {
      ...(m === undefined ? {} : { mutualAuthentication: m }),
      attributes: attributes.get(port) ?? {},
    });
  }
  return out;
}
