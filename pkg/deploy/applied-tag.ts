/**
 * The bookkeeping tag `albatross.dev/applied` on a stack's load balancer: what a
 * restarted controller (or a new leader) needs, beside one tagging call and the listeners'
 * DescribeRules, to rebuild the stack the last apply left without a full discovery.
 *
 * The tagging call returns the load balancer's and target groups' ARNs and tags. The tag
 * adds what it does not return:
 *
 * - the desired stack's fingerprint (discovery-cache.ts `stackFingerprint`): the tag
 *   vouches for exactly that stack, targets included;
 * - each listener's id, by port: a listener ARN is its load balancer's ARN with
 *   `loadbalancer/` → `listener/` and `/<id>` appended, so no DescribeListeners is read;
 * - the managed security groups' ids, in the order of their stack ids (moto's tagging API
 *   lists no security group, and AWS's lags; an id costs 21 characters);
 * - a digest of the load balancer's DNS name: the name itself comes from the members'
 *   `status.loadBalancer` (we wrote it), and the digest says which hostname is right.
 *
 *   v1 <fingerprint> d=<dns digest> l=80:<id>/443:<id> sg=<sg-id>
 *
 * ELBv2 tag values are at most 256 characters of letters, digits, spaces and `_.:/=+-@`:
 * a stack whose value would be longer (about 8 listeners) gets no tag and a restart reads
 * it in full. A value that does not parse (foreign, truncated, an older or newer format)
 * is no tag: the restart reads in full, never fails.
 */
import { createHash } from 'node:crypto';
import type { ActualStack } from '../model/index.ts';

/** ELBv2's limit on a tag value. */
export const APPLIED_TAG_VALUE_MAX = 256;

/** The tag's content, decoded. */
export interface AppliedRecord {
  readonly fingerprint: string;
  /** The first 8 characters of the base64url SHA-256 of the lower-cased DNS name. */
  readonly dnsDigest: string;
  /** Listener port → the last segment of its ARN. */
  readonly listenerIds: ReadonlyMap<number, string>;
  /** The managed security groups' `sg-…`, in the order of their stack ids. */
  readonly securityGroupIds: readonly string[];
}

const VERSION = 'v1';
const FINGERPRINT = /^[A-Za-z0-9_-]{43}$/;
const DIGEST = /^[A-Za-z0-9_-]{8}$/;
const LISTENER = /^(\d{1,5}):([A-Za-z0-9]{1,64})$/;
const GROUP = /^sg-[0-9a-f]{1,32}$/;

export function dnsDigest(dnsName: string): string {
  return createHash('sha256').update(dnsName.toLowerCase()).digest('base64url').slice(0, 8);
}

/** `arn:…:loadbalancer/app/<name>/<lb id>` + `<id>` → `arn:…:listener/app/<name>/<lb id>/<id>` */
export function listenerArnOf(loadBalancerArn: string, id: string): string {
  return `${loadBalancerArn.replace(':loadbalancer/', ':listener/')}/${id}`;
}

function listenerIdOf(loadBalancerArn: string, listenerArn: string): string | null {
  const id = listenerArn.slice(listenerArn.lastIndexOf('/') + 1);
  return listenerArnOf(loadBalancerArn, id) === listenerArn && id !== '' ? id : null;
}

/** Why `stack` cannot be recorded, for the log; `null` when it can. */
export type Unrecordable = string;

/**
 * The tag value for `stack` (as an apply left it, or as a full discovery read it) wanted
 * with `fingerprint`, or why there is none: no load balancer, a listener ARN that is not
 * the load balancer's ARN plus an id, or a value over 256 characters.
 */
export function encodeApplied(
  stack: ActualStack,
  fingerprint: string,
): { readonly value: string } | { readonly unrecordable: Unrecordable } {
  const lb = stack.loadBalancer;
  if (lb === null) return { unrecordable: 'no load balancer' };
  if (!FINGERPRINT.test(fingerprint)) return { unrecordable: 'not a stack fingerprint' };
  const listeners: string[] = [];
  for (const listener of [...stack.listeners].sort((a, b) => a.port - b.port)) {
    const id = listenerIdOf(lb.arn, listener.arn);
    if (id === null || !LISTENER.test(`${String(listener.port)}:${id}`)) {
      return { unrecordable: `listener ARN ${listener.arn} is not derived from ${lb.arn}` };
    }
    listeners.push(`${String(listener.port)}:${id}`);
  }
  const groups = [...stack.securityGroups].sort((a, b) => a.id.localeCompare(b.id));
  const badGroup = groups.find((g) => !GROUP.test(g.groupId));
  if (badGroup !== undefined) return { unrecordable: `security group id ${badGroup.groupId}` };
  const value = [
    VERSION,
    fingerprint,
    `d=${dnsDigest(lb.dnsName)}`,
    `l=${listeners.join('/')}`,
    `sg=${groups.map((g) => g.groupId).join('/')}`,
  ].join(' ');
  if (value.length > APPLIED_TAG_VALUE_MAX) {
    return {
      unrecordable: `${String(value.length)} characters, over the ${String(APPLIED_TAG_VALUE_MAX)} of a tag value`,
    };
  }
  return { value };
}

function field(part: string | undefined, name: string): string | null {
  return part?.startsWith(`${name}=`) === true ? part.slice(name.length + 1) : null;
}

/**
 * The record in a tag value, or why it holds none (absent, malformed, another
 * version). Never throws: the value may have been written by anyone.
 */
export function decodeApplied(
  value: string | undefined,
): AppliedRecord | { readonly unusable: string } {
  if (value === undefined) return { unusable: 'no applied tag' };
  if (value.length > APPLIED_TAG_VALUE_MAX) return { unusable: 'applied tag too long' };
  const parts = value.split(' ');
  const [version, fingerprint, d, l, sg, ...rest] = parts;
  if (version !== VERSION)
    return { unusable: `applied tag of another format: ${value.slice(0, 40)}` };
  const digest = field(d, 'd');
  const listenerList = field(l, 'l');
  const groupList = field(sg, 'sg');
  if (
    rest.length > 0 ||
    fingerprint === undefined ||
    !FINGERPRINT.test(fingerprint) ||
    digest === null ||
    !DIGEST.test(digest) ||
    listenerList === null ||
    groupList === null
  ) {
    return { unusable: `malformed applied tag: ${value.slice(0, 40)}` };
  }
  const listenerIds = new Map<number, string>();
  for (const item of listenerList === '' ? [] : listenerList.split('/')) {
    const match = LISTENER.exec(item);
    const port = Number(match?.[1]);
    if (match === null || listenerIds.has(port)) {
      return { unusable: `malformed applied tag: listener ${item}` };
    }
    listenerIds.set(port, match[2] ?? '');
  }
  const securityGroupIds = groupList === '' ? [] : groupList.split('/');
  if (securityGroupIds.some((id) => !GROUP.test(id))) {
    return { unusable: `malformed applied tag: security groups ${groupList}` };
  }
  return { fingerprint, dnsDigest: digest, listenerIds, securityGroupIds };
}
