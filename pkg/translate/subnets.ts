/**
 * Subnet selection. Offline (subnets unknown) the selection stays unresolved; with the
 * VPC's subnets known, listed entries are resolved by ID or Name tag, or candidates are
 * discovered by the reference controller's rules.
 */
import type { Scheme, SubnetSelection } from '../model/index.ts';
import type { Subnet } from './env.ts';

export type SubnetResult =
  | { readonly ok: true; readonly selection: SubnetSelection }
  | { readonly ok: false; readonly selection: SubnetSelection; readonly message: string };

const MIN_FREE_IPS = 8;

function distinctAzs(subnets: readonly Subnet[]): number {
  return new Set(subnets.map((s) => s.availabilityZone)).size;
}

function resolved(chosen: readonly Subnet[]): SubnetSelection {
  return { kind: 'resolved', subnetIds: chosen.map((s) => s.subnetId).sort() };
}

export function selectSubnets(
  listed: readonly string[] | undefined,
  scheme: Scheme,
  clusterName: string,
  known: readonly Subnet[] | undefined,
): SubnetResult {
  const role = scheme === 'internet-facing' ? 'elb' : 'internal-elb';
  if (listed !== undefined) {
    const unresolved: SubnetSelection = { kind: 'listed', entries: listed };
    if (known === undefined) return { ok: true, selection: unresolved };
    const chosen: Subnet[] = [];
    for (const entry of listed) {
      const matches = entry.startsWith('subnet-')
        ? known.filter((s) => s.subnetId === entry)
        : known.filter((s) => s.tags.Name === entry);
      if (matches.length !== 1) {
        const why =
          matches.length === 0
            ? 'no subnet of the VPC has that ID or Name tag'
            : 'several subnets have that Name tag';
        return { ok: false, selection: unresolved, message: `subnet '${entry}': ${why}` };
      }
      const [m] = matches;
      if (m !== undefined && !chosen.includes(m)) chosen.push(m);
    }
    if (distinctAzs(chosen) < 2) {
      return {
        ok: false,
        selection: unresolved,
        message: 'an ALB needs subnets in at least 2 availability zones',
      };
    }
    return { ok: true, selection: resolved(chosen) };
  }
  const unresolved: SubnetSelection = { kind: 'discover', role };
  if (known === undefined) return { ok: true, selection: unresolved };
  const roleTag = `kubernetes.io/role/${role}`;
  const ours = `kubernetes.io/cluster/${clusterName}`;
  const candidates = known.filter((s) => {
    const v = s.tags[roleTag];
    if (v !== '' && v !== '1') return false;
    const clusterTags = Object.keys(s.tags).filter((k) => k.startsWith('kubernetes.io/cluster/'));
    if (clusterTags.length > 0 && !clusterTags.includes(ours)) return false;
    return s.availableIpAddressCount >= MIN_FREE_IPS;
  });
  const byAz = new Map<string, Subnet>();
  for (const s of candidates) {
    const best = byAz.get(s.availabilityZone);
    const rank = (x: Subnet): number => (Object.hasOwn(x.tags, ours) ? 0 : 1);
    if (
      best === undefined ||
      rank(s) < rank(best) ||
      (rank(s) === rank(best) && s.subnetId < best.subnetId)
    ) {
      byAz.set(s.availabilityZone, s);
    }
  }
  const chosen = [...byAz.values()];
  if (distinctAzs(chosen) < 2) {
    return {
      ok: false,
      selection: unresolved,
      message: `subnet discovery found ${chosen.length} availability zone(s) with a subnet tagged ${roleTag} (value 1 or empty, not another cluster's, at least ${MIN_FREE_IPS} free IPs); an ALB needs at least 2: tag subnets or list them in the subnets annotation`,
    };
  }
  const ids = chosen.map((s) => s.subnetId).sort();
  return { ok: true, selection: { kind: 'resolved', subnetIds: ids, discovered: true } };
}
