/**
 * Per-listener settings: `mutual-authentication` (a JSON list by port) and
 * `listener-attributes.${Protocol}-${Port}` (a map per listener).
 */
import type { ListenerProtocol, MutualAuthentication } from '../model/index.ts';
import { isJsonArray, isJsonObject, parseJson, prop } from './json.ts';
import { bad, ok } from './parsed.ts';
import type { Parsed } from './parsed.ts';

export interface PortMutualAuthentication {
  readonly port: number;
  readonly settings: MutualAuthentication;
}

const MTLS_FORM =
  'the form is [{"port":443,"mode":"off|passthrough|verify","trustStore":"name or ARN (verify only)","ignoreClientCertificateExpiry":false}]';
const MODES = ['off', 'passthrough', 'verify'] as const;

/** A trust store ARN, or a name as ELB allows it (1-32 alphanumerics and hyphens). */
function isTrustStore(v: string): boolean {
  return (
    /^arn:[a-z-]+:elasticloadbalancing:[a-z0-9-]+:\d{12}:truststore\/[^/\s]+\/[0-9a-f]+$/.test(v) ||
    /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/.test(v)
  );
}

export function parseMutualAuthentication(
  raw: string,
): Parsed<readonly PortMutualAuthentication[]> {
  const json = parseJson(raw);
  if (!json.ok) return bad(`${json.message}; ${MTLS_FORM}`);
  if (!isJsonArray(json.value) || json.value.length === 0) {
    return bad(`must be a non-empty JSON list; ${MTLS_FORM}`);
  }
  const out: PortMutualAuthentication[] = [];
  for (const [i, entry] of json.value.entries()) {
    const where = `entry ${i}`;
    if (!isJsonObject(entry)) return bad(`${where} must be an object; ${MTLS_FORM}`);
    const port = prop(entry, 'port');
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
      return bad(
        `${where}: port ${JSON.stringify(port ?? null)} must be a port number from 1 to 65535`,
      );
    }
    if (out.some((o) => o.port === port)) return bad(`port ${port} is listed twice`);
    const modeRaw = prop(entry, 'mode');
    const mode = MODES.find((m) => m === modeRaw);
    if (mode === undefined) {
      return bad(
        `${where}: mode ${JSON.stringify(modeRaw ?? null)} must be one of ${MODES.map((m) => `'${m}'`).join(', ')}`,
      );
    }
    const trustStore = prop(entry, 'trustStore');
    if (trustStore !== undefined && trustStore !== null && typeof trustStore !== 'string') {
      return bad(`${where}: trustStore must be a trust store name or ARN`);
    }
    const store = typeof trustStore === 'string' && trustStore !== '' ? trustStore : undefined;
    if (mode === 'verify' && store === undefined) {
      return bad(`${where}: mode 'verify' needs a trustStore (name or ARN)`);
    }
    if (mode !== 'verify' && store !== undefined) {
      return bad(`${where}: trustStore is used only with mode 'verify', not '${mode}'`);
    }
    if (store !== undefined && !isTrustStore(store)) {
      return bad(
        `${where}: trustStore '${store}' must be a trust store ARN (arn:aws:elasticloadbalancing:…:truststore/NAME/ID) or name (1-32 letters, digits, hyphens)`,
      );
    }
    const ignore = prop(entry, 'ignoreClientCertificateExpiry');
    if (ignore !== undefined && ignore !== null && typeof ignore !== 'boolean') {
      return bad(`${where}: ignoreClientCertificateExpiry must be true or false`);
    }
    if (mode !== 'verify' && ignore === true) {
      return bad(`${where}: ignoreClientCertificateExpiry is used only with mode 'verify'`);
    }
    out.push({
      port,
      settings: {
        mode,
        ...(store === undefined ? {} : { trustStore: store }),
        ...(mode === 'verify' ? { ignoreClientCertificateExpiry: ignore === true } : {}),
      },
    });
  }
  return ok(out);
}

export const LISTENER_ATTRIBUTES_PREFIX = 'listener-attributes.';

/** `listener-attributes.HTTPS-443` → `{protocol: 'HTTPS', port: 443}`; `undefined` if malformed. */
export function listenerOfAttributesKey(
  suffix: string,
): { readonly protocol: ListenerProtocol; readonly port: number } | undefined {
  const m = /^(HTTP|HTTPS)-([0-9]{1,5})$/.exec(suffix);
  if (m === null) return undefined;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return undefined;
  return { protocol: m[1] === 'HTTPS' ? 'HTTPS' : 'HTTP', port };
}
