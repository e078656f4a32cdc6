/**
 * Deterministic AWS names. ALB and target-group names are ≤ 32 characters of letters,
 * digits and hyphens, with no leading or trailing hyphen and never starting with
 * `internal-`. A name is `k8s-<readable>-<hash>`: the readable part helps a person in the
 * console, the 10-hex-digit hash (SHA-256) covers the identity and every field that
 * cannot change in place, so a replacement gets a fresh name (AWS names are unique per
 * account and region) and two clusters never collide. Names are external contract:
 * changing how one is made replaces the resource everywhere.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { BackendProtocol, ProtocolVersion, Scheme, TargetType } from '../model/index.ts';

const HASH_LENGTH = 10;
const MAX_NAME = 32;
const PREFIX = 'k8s-';

/** First `HASH_LENGTH` hex digits of SHA-256 over the fields, unambiguously joined. */
export function shortHash(fields: readonly string[]): string {
  return bytesToHex(sha256(utf8ToBytes(JSON.stringify(fields)))).slice(0, HASH_LENGTH);
}

/** Lower-case letters and digits; any run of other characters becomes one hyphen. */
function sanitize(s: string, max: number): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, max)
    .replace(/-+$/, '');
}

/** `k8s-<part>-<part>-<hash>`; the readable parts share what the hash leaves. */
function compose(parts: readonly string[], hash: string): string {
  const room = MAX_NAME - PREFIX.length - 1 - hash.length; // 17
  const each = Math.floor((room - (parts.length - 1)) / Math.max(parts.length, 1));
  const readable = parts
    .map((p) => sanitize(p, each))
    .filter((p) => p !== '')
    .join('-');
  return readable === '' ? `${PREFIX}${hash}` : `${PREFIX}${readable}-${hash}`;
}

function groupParts(groupId: string): readonly string[] {
  return groupId.includes('/') ? groupId.split('/', 2) : [groupId];
}

export interface LoadBalancerIdentity {
  readonly cluster: string;
  readonly groupId: string;
  readonly scheme: Scheme;
}

/** e.g. `k8s-default-web-3f1c9a0b2d` for the implicit group `default/web`. */
export function loadBalancerName(id: LoadBalancerIdentity): string {
  return compose(groupParts(id.groupId), shortHash(['alb', id.cluster, id.groupId, id.scheme]));
}

export interface TargetGroupIdentity {
  readonly cluster: string;
  readonly groupId: string;
  /** `namespace/name` of the member that owns the target group. */
  readonly member: string;
  /** `namespace/name` of the Service. */
  readonly service: string;
  /** The Service port as the Ingress names it (number or name). */
  readonly port: string;
  readonly targetType: TargetType;
  readonly protocol: BackendProtocol;
  readonly protocolVersion: ProtocolVersion;
  /** Hashed only when set, so target groups without one keep their names. */
  readonly targetControlPort?: number;
  /**
   * Set only at creation, so part of the name; hashed only when `ipv6`, so the names of
   * every `ipv4` target group made before IPv6 was known stay as they were.
   * @default 'ipv4'
   */
  readonly ipAddressType?: 'ipv4' | 'ipv6';
}

/** e.g. `k8s-default-api-8be10f3c44`: namespace and Service name, then the hash. */
export function targetGroupName(id: TargetGroupIdentity): string {
  const [namespace = '', name = ''] = id.service.split('/', 2);
  return compose(
    [namespace, name],
    shortHash([
      'tg',
      id.cluster,
      id.groupId,
      id.member,
      id.service,
      id.port,
      id.targetType,
      id.protocol,
      id.protocolVersion,
      ...(id.targetControlPort !== undefined ? [String(id.targetControlPort)] : []),
      ...(id.ipAddressType === 'ipv6' ? ['ipv6'] : []),
    ]),
  );
}

/** The managed frontend security group of a group's ALB (SG names may not start `sg-`). */
export function securityGroupName(cluster: string, groupId: string): string {
  return compose(groupParts(groupId), shortHash(['sg', cluster, groupId]));
}
