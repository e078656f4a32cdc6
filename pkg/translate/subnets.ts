/**
 * Subnet selection. Offline (subnets unknown) the selection stays unresolved; with the
 * VPC's subnets known, listed entries are resolved by ID or Name tag, or candidates are
 * discovered by the reference controller's rules.
 */
import type { Scheme, SubnetSelection } from '../model/index.ts';
import { showSubnetTags } from '../model/index.ts';
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
  /** IngressClassParams `subnets.tags`; takes the place of a listed set or discovery. */
  tags?: Readonly<Record<string, readonly string[]>>,
): SubnetResult {
  const role = scheme === 'internet-facing' ? 'elb' : 'internal-elb';
  if (listed !== undefined && tags === undefined) {
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
  if (tags !== undefined) return selectTagged(tags, clusterName, known);
  const unresolved: SubnetSelection = { kind: 'discover', role };
  if (known === undefined) return { ok: true, selection: unresolved };
  const roleTag = `kubernetes.io/role/${role}`;
  const chosen = onePerAz(
    known.filter((s) => s.tags[roleTag] === '' || s.tags[roleTag] === '1'),
    clusterName,
  );
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

/**
 * IngressClassParams `subnets.tags`: the candidates are the subnets carrying, for every
 * key, one of its values; from them discovery's ranking picks one per AZ. Like discovery
 * the choice only creates an ALB: an existing one keeps its subnets.
 */
function selectTagged(
  tags: Readonly<Record<string, readonly string[]>>,
  clusterName: string,
  known: readonly Subnet[] | undefined,
): SubnetResult {
  const unresolved: SubnetSelection = { kind: 'tagged', tags };
  if (known === undefined) return { ok: true, selection: unresolved };
  const matching = known.filter((s) =>
    Object.entries(tags).every(([k, values]) => {
      const v = s.tags[k];
      return v !== undefined && values.includes(v);
    }),
  );
  const chosen = onePerAz(matching, clusterName);
  if (distinctAzs(chosen) < 2) {
    return {
      ok: false,
      selection: unresolved,
      message: `subnets tagged ${showSubnetTags(tags)} (not another cluster's, at least ${MIN_FREE_IPS} free IPs) cover ${chosen.length} availability zone(s); an ALB needs at least 2`,
    };
  }
  const ids = chosen.map((s) => s.subnetId).sort();
  return { ok: true, selection: { kind: 'resolved', subnetIds: ids, discovered: true } };
}

/**
 * Discovery's ranking: drop subnets of another cluster and those short of free IPs, then
 * per AZ prefer one tagged for our cluster, then the smallest ID.
 */
function onePerAz(candidates: readonly Subnet[], clusterName: string): Subnet[] {
  const ours = `kubernetes.io/cluster/${clusterName}`;
  const usable = candidates.filter((s) => {
    const clusterTags = Object.keys(s.tags).filter((k) => k.startsWith('kubernetes.io/cluster/'));
    if (clusterTags.length > 0 && !clusterTags.includes(ours)) return false;
    return s.availableIpAddressCount >= MIN_FREE_IPS;
  });
  const rank = (x: Subnet): number => (Object.hasOwn(x.tags, ours) ? 0 : 1);
  const byAz = new Map<string, Subnet>();
  for (const s of usable) {
    const best = byAz.get(s.availabilityZone);
    if (
      best === undefined ||
      rank(s) < rank(best) ||
      (rank(s) === rank(best) && s.subnetId < best.subnetId)
    ) {
      byAz.set(s.availabilityZone, s);
    }
  }
  return [...byAz.values()];
}
