/** Parsers of the listener annotations: listen-ports, certificate-arn, ssl-policy, ssl-redirect. */
import type { ListenerProtocol } from '../model/index.ts';
import { isJsonArray, isJsonObject, parseJson } from './json.ts';
import { bad, ok } from './parsed.ts';
import type { Parsed, Parser } from './parsed.ts';
import { intIn, listOf } from './primitives.ts';

export interface ListenPort {
  readonly protocol: ListenerProtocol;
  readonly port: number;
}

const LISTEN_PORTS_FORM =
  'the form is [{"HTTP":80},{"HTTPS":443}] with ports 1..65535 and protocols HTTP or HTTPS';

/** `[{"HTTP":80},{"HTTPS":443}]`: one protocol per port, ports 1..65535. */
export function parseListenPorts(raw: string): Parsed<readonly ListenPort[]> {
  const json = parseJson(raw);
  if (!json.ok) return bad(`${json.message}; ${LISTEN_PORTS_FORM}`);
  if (!isJsonArray(json.value) || json.value.length === 0) {
    return bad(`must be a non-empty JSON list; ${LISTEN_PORTS_FORM}`);
  }
  const out: ListenPort[] = [];
  for (const entry of json.value) {
    if (!isJsonObject(entry)) return bad(`each entry must be an object; ${LISTEN_PORTS_FORM}`);
    for (const [protocol, port] of Object.entries(entry)) {
      if (protocol !== 'HTTP' && protocol !== 'HTTPS') {
        return bad(`protocol '${protocol}' is not allowed; ${LISTEN_PORTS_FORM}`);
      }
      if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
        return bad(
          `port ${JSON.stringify(port)} of ${protocol} is not allowed; ${LISTEN_PORTS_FORM}`,
        );
      }
      const same = out.find((p) => p.port === port);
      if (same !== undefined) {
        if (same.protocol !== protocol) {
          return bad(
            `port ${port} is given as both ${same.protocol} and ${protocol}; one protocol per port`,
          );
        }
        continue;
      }
      out.push({ protocol, port });
    }
  }
  if (out.length === 0) return bad(`must list at least one port; ${LISTEN_PORTS_FORM}`);
  return ok(out);
}

/** ACM (or IAM) certificate ARNs; the first is the default certificate, the rest SNI. */
export const parseCertificateArns: Parser<readonly string[]> = listOf((s) =>
  /^arn:[a-z-]+:(acm|iam):/.test(s)
    ? ok(s)
    : bad('must be an ACM or IAM certificate ARN (arn:aws:acm:…)'),
);

export function parseSslPolicy(raw: string): Parsed<string> {
  return /^[A-Za-z0-9-]{1,128}$/.test(raw)
    ? ok(raw)
    : bad('must be the name of an ELB security policy, e.g. ELBSecurityPolicy-TLS13-1-2-2021-06');
}

/** The HTTPS port every HTTP listener redirects to. */
export const parseSslRedirect: Parser<number> = intIn(1, 65535);
