/**
 * `actions.${name}`: a JSON action used by a backend
 * `{service: {name: ${name}, port: {name: use-annotation}}}`. Keys are read the way the
 * reference controller's Go parser reads them (case-insensitively).
 */
import type { FixedResponseConfig, RedirectConfig } from '../model/index.ts';
import { isJsonArray, isJsonObject, parseJson, prop } from './json.ts';
import type { JsonObject, JsonValue } from './json.ts';
import { bad, ok } from './parsed.ts';
import type { Parsed } from './parsed.ts';

/** One entry of a forward: a Service port of the member's namespace, or a foreign group. */
export type ForwardTarget =
  | {
      readonly kind: 'service';
      readonly serviceName: string;
      /** Number or port name, as written. */
      readonly servicePort: number | string;
      readonly weight: number | undefined;
    }
  | { readonly kind: 'arn'; readonly targetGroupArn: string; readonly weight: number | undefined }
  | {
      readonly kind: 'name';
      readonly targetGroupName: string;
      readonly weight: number | undefined;
    };

export type ParsedAction =
  | { readonly type: 'fixed-response'; readonly config: FixedResponseConfig }
  | { readonly type: 'redirect'; readonly config: RedirectConfig }
  | {
      readonly type: 'forward';
      readonly targets: readonly ForwardTarget[];
      readonly stickiness:
        { readonly enabled: boolean; readonly durationSeconds: number | undefined } | undefined;
    };

const ACTION_FORM =
  'must be a JSON object with type \'fixed-response\', \'redirect\' or \'forward\', e.g. {"type":"fixed-response","fixedResponseConfig":{"statusCode":"404"}}';

const CONTENT_TYPES = [
  'text/plain',
  'text/css',
  'text/html',
  'application/javascript',
  'application/json',
] as const;

function str(v: JsonValue | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function parseFixedResponse(cfg: JsonValue | undefined): Parsed<ParsedAction> {
  if (!isJsonObject(cfg))
    return bad(
      'fixed-response needs fixedResponseConfig: {statusCode, contentType?, messageBody?}',
    );
  const statusCode = prop(cfg, 'statusCode');
  const code = typeof statusCode === 'number' ? String(statusCode) : str(statusCode);
  if (code === undefined || !/^[245][0-9][0-9]$/.test(code)) {
    return bad(
      `fixedResponseConfig.statusCode ${JSON.stringify(statusCode ?? null)} must be a 2XX, 4XX or 5XX code`,
    );
  }
  const contentType = prop(cfg, 'contentType');
  let ct: FixedResponseConfig['ContentType'];
  if (contentType !== undefined && contentType !== null) {
    ct = CONTENT_TYPES.find((c) => c === contentType);
    if (ct === undefined) {
      return bad(
        `fixedResponseConfig.contentType ${JSON.stringify(contentType)} must be one of ${CONTENT_TYPES.join(', ')}`,
      );
    }
  }
  const body = prop(cfg, 'messageBody');
  if (body !== undefined && body !== null && typeof body !== 'string') {
    return bad('fixedResponseConfig.messageBody must be a string');
  }
  if (typeof body === 'string' && body.length > 1024) {
    return bad('fixedResponseConfig.messageBody must be at most 1024 characters');
  }
  return ok({
    type: 'fixed-response',
    config: {
      StatusCode: code,
      ...(ct === undefined ? {} : { ContentType: ct }),
      ...(typeof body === 'string' ? { MessageBody: body } : {}),
    },
  });
}

function parseRedirect(cfg: JsonValue | undefined): Parsed<ParsedAction> {
  if (!isJsonObject(cfg)) {
    return bad(
      'redirect needs redirectConfig: {protocol?, port?, host?, path?, query?, statusCode}',
    );
  }
  const statusCode = str(prop(cfg, 'statusCode'));
  if (statusCode !== 'HTTP_301' && statusCode !== 'HTTP_302') {
    return bad("redirectConfig.statusCode must be 'HTTP_301' or 'HTTP_302'");
  }
  const fields = {
    Protocol: 'protocol',
    Port: 'port',
    Host: 'host',
    Path: 'path',
    Query: 'query',
  } as const;
  const out: Record<string, string> = {};
  for (const [apiName, jsonName] of Object.entries(fields)) {
    const v = prop(cfg, jsonName);
    if (v === undefined || v === null) continue;
    const s = typeof v === 'number' ? String(v) : str(v);
    if (s === undefined) return bad(`redirectConfig.${jsonName} must be a string`);
    out[apiName] = s;
  }
  const protocol = out.Protocol;
  if (protocol !== undefined && !['HTTP', 'HTTPS', '#{protocol}'].includes(protocol)) {
    return bad("redirectConfig.protocol must be 'HTTP', 'HTTPS' or '#{protocol}'");
  }
  const port = out.Port;
  if (port !== undefined && port !== '#{port}') {
    const n = Number(port);
    if (!/^[0-9]+$/.test(port) || n < 1 || n > 65535) {
      return bad("redirectConfig.port must be a port from 1 to 65535 or '#{port}'");
    }
  }
  const path = out.Path;
  if (path !== undefined && !path.startsWith('/'))
    return bad("redirectConfig.path must start with '/'");
  if (Object.keys(out).length === 0) {
    return bad('redirectConfig must change at least one of protocol, port, host, path or query');
  }
  return ok({ type: 'redirect', config: { ...out, StatusCode: statusCode } });
}

function parseWeight(v: JsonValue | undefined, where: string): Parsed<number | undefined> {
  if (v === undefined || v === null) return ok(undefined);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 999) {
    return bad(`${where}.weight ${JSON.stringify(v)} must be an integer from 0 to 999`);
  }
  return ok(v);
}

function parseForwardTarget(entry: JsonValue, where: string): Parsed<ForwardTarget> {
  if (!isJsonObject(entry)) return bad(`${where} must be an object`);
  const weight = parseWeight(prop(entry, 'weight'), where);
  if (!weight.ok) return weight;
  const arn = str(prop(entry, 'targetGroupARN'));
  const name = str(prop(entry, 'targetGroupName'));
  const serviceName = str(prop(entry, 'serviceName'));
  const given = [arn, name, serviceName].filter((x) => x !== undefined).length;
  if (given !== 1) {
    return bad(
      `${where} must name exactly one of serviceName (with servicePort), targetGroupARN or targetGroupName`,
    );
  }
  if (arn !== undefined) {
    if (!arn.startsWith('arn:')) return bad(`${where}.targetGroupARN must be an ARN`);
    return ok({ kind: 'arn', targetGroupArn: arn, weight: weight.value });
  }
  if (name !== undefined) return ok({ kind: 'name', targetGroupName: name, weight: weight.value });
  const port = prop(entry, 'servicePort');
  if (typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535) {
    return ok({
      kind: 'service',
      serviceName: serviceName ?? '',
      servicePort: port,
      weight: weight.value,
    });
  }
  if (typeof port === 'string' && port !== '') {
    const n = /^[0-9]+$/.test(port) ? Number(port) : port;
    return ok({
      kind: 'service',
      serviceName: serviceName ?? '',
      servicePort: n,
      weight: weight.value,
    });
  }
  return bad(`${where}.servicePort must be a port number or a port name`);
}

function parseForward(obj: JsonObject): Parsed<ParsedAction> {
  const arn = str(prop(obj, 'targetGroupARN'));
  const name = str(prop(obj, 'targetGroupName'));
  const cfg = prop(obj, 'forwardConfig');
  const given = [arn, name, cfg].filter((x) => x !== undefined).length;
  if (given !== 1) {
    return bad(
      'forward needs exactly one of targetGroupARN, targetGroupName or forwardConfig.targetGroups',
    );
  }
  if (arn !== undefined) {
    return arn.startsWith('arn:')
      ? ok({
          type: 'forward',
          targets: [{ kind: 'arn', targetGroupArn: arn, weight: undefined }],
          stickiness: undefined,
        })
      : bad('targetGroupARN must be an ARN');
  }
  if (name !== undefined) {
    return ok({
      type: 'forward',
      targets: [{ kind: 'name', targetGroupName: name, weight: undefined }],
      stickiness: undefined,
    });
  }
  if (!isJsonObject(cfg)) return bad('forwardConfig must be an object with targetGroups');
  const groups = prop(cfg, 'targetGroups');
  if (!isJsonArray(groups) || groups.length === 0) {
    return bad('forwardConfig.targetGroups must be a non-empty list');
  }
  if (groups.length > 5) return bad('forwardConfig.targetGroups may list at most 5 target groups');
  const targets: ForwardTarget[] = [];
  for (const [i, g] of groups.entries()) {
    const t = parseForwardTarget(g, `forwardConfig.targetGroups[${i}]`);
    if (!t.ok) return t;
    targets.push(t.value);
  }
  const sticky = prop(cfg, 'targetGroupStickinessConfig');
  let stickiness:
    { readonly enabled: boolean; readonly durationSeconds: number | undefined } | undefined;
  if (sticky !== undefined && sticky !== null) {
    if (!isJsonObject(sticky))
      return bad('forwardConfig.targetGroupStickinessConfig must be an object');
    const enabled = prop(sticky, 'enabled');
    const duration = prop(sticky, 'durationSeconds');
    if (typeof enabled !== 'boolean') {
      return bad('forwardConfig.targetGroupStickinessConfig.enabled must be true or false');
    }
    if (
      duration !== undefined &&
      duration !== null &&
      (typeof duration !== 'number' ||
        !Number.isInteger(duration) ||
        duration < 1 ||
        duration > 604800)
    ) {
      return bad(
        'forwardConfig.targetGroupStickinessConfig.durationSeconds must be an integer from 1 to 604800',
      );
    }
    stickiness = { enabled, durationSeconds: typeof duration === 'number' ? duration : undefined };
  }
  return ok({ type: 'forward', targets, stickiness });
}

/** Parses one `actions.${name}` value. */
export function parseAction(raw: string): Parsed<ParsedAction> {
  const json = parseJson(raw);
  if (!json.ok) return bad(`${json.message}; ${ACTION_FORM}`);
  const obj = json.value;
  if (!isJsonObject(obj)) return bad(ACTION_FORM);
  const type = prop(obj, 'type');
  if (type === 'fixed-response') return parseFixedResponse(prop(obj, 'fixedResponseConfig'));
  if (type === 'redirect') return parseRedirect(prop(obj, 'redirectConfig'));
  if (type === 'forward') return parseForward(obj);
  return bad(`type ${JSON.stringify(type ?? null)} is not allowed; ${ACTION_FORM}`);
}
