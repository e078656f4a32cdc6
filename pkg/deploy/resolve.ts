/**
 * References apply resolves: stack ids to the ARNs and `sg-…` ids of what exists (from
 * discovery) and of what earlier steps of the same apply created; subnet selections,
 * security groups listed by Name tag and foreign target groups named by name to their
 * ids. A reference that cannot be resolved is a DeployError naming it.
 */
import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { DescribeTargetGroupsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Action as SdkAction } from '@aws-sdk/client-elastic-load-balancing-v2';
import type {
  Action,
  ActualAddons,
  ActualStack,
  SecurityGroupRef,
  Stack,
  SubnetSelection,
  TargetGroupTuple,
} from '../model/index.ts';
import { showSubnetTags } from '../model/index.ts';
import { keptTargetGroup, targetGroupsById } from '../plan/index.ts';
import { withClientSecrets } from './auth-secrets.ts';
import { ensureBackendSecurityGroup } from './backend-security-group.ts';
import { call, DeployError, sendOptions } from './context.ts';
import type { DeployContext } from './context.ts';
import { toSdkActions } from './to-sdk.ts';

const NO_ADDONS: ActualAddons = { wafv2: null, wafRegional: null, shieldProtectionId: null };

/** What exists now, by stack id: discovery's findings, updated as steps run. */
export class ApplyState {
  loadBalancerArn: string | null;
  dnsName: string | null;
  readonly listeners = new Map<string, string>();
  readonly targetGroups = new Map<string, string>();
  readonly securityGroups = new Map<string, string>();
  readonly rules = new Map<string, string>();
  /** Foreign target groups by name, resolved once per apply. */
  readonly foreignTargetGroups = new Map<string, string>();
  /** The load balancer's add-ons as far as known: a new load balancer has none. */
  addons: ActualAddons;

  /** `desired` picks, of two target groups found for one id, the one the plan keeps. */
  constructor(actual: ActualStack | null, desired?: Stack) {
    this.loadBalancerArn = actual?.loadBalancer?.arn ?? null;
    this.dnsName = actual?.loadBalancer?.dnsName ?? null;
    for (const l of actual?.listeners ?? []) this.listeners.set(l.id, l.arn);
    const wanted = new Map(desired?.targetGroups.map((tg) => [tg.id, tg.name]));
    for (const [id, found] of targetGroupsById(actual?.targetGroups ?? [])) {
      const kept = keptTargetGroup(wanted.get(id), found);
      if (kept !== undefined) this.targetGroups.set(id, kept.arn);
    }
    for (const sg of actual?.securityGroups ?? []) this.securityGroups.set(sg.id, sg.groupId);
    for (const r of actual?.rules ?? []) this.rules.set(r.id, r.arn);
    this.addons = this.loadBalancerArn === null ? NO_ADDONS : (actual?.addons ?? {});
  }

  loadBalancer(): string {
    if (this.loadBalancerArn === null) throw new DeployError('the load balancer does not exist');
    return this.loadBalancerArn;
  }

  listener(id: string): string {
    return known(this.listeners, id, 'listener');
  }

  targetGroup(id: string): string {
    return known(this.targetGroups, id, 'target group');
  }

  securityGroup(id: string): string {
    return known(this.securityGroups, id, 'managed security group');
  }
}

function known(map: ReadonlyMap<string, string>, id: string, what: string): string {
  const value = map.get(id);
  if (value === undefined) throw new DeployError(`${what} ${id} does not exist`);
  return value;
}

export function subnetIds(selection: SubnetSelection): string[] {
  if (selection.kind === 'resolved') return [...selection.subnetIds];
  const what =
    selection.kind === 'listed'
      ? `listed subnets ${selection.entries.join(', ')}`
      : selection.kind === 'tagged'
        ? `subnets tagged ${showSubnetTags(selection.tags)}`
        : `subnet discovery for role ${selection.role}`;
  throw new DeployError(
    `subnets are not resolved (${what}): the environment must resolve them to subnet IDs before apply`,
  );
}

/** `sg-…` ids for an ALB: managed by stack id, the shared backend group, listed by ID or Name. */
export async function securityGroupIds(
  ctx: DeployContext,
  state: ApplyState,
  refs: readonly SecurityGroupRef[],
): Promise<string[]> {
  const byName = refs.flatMap((ref) =>
    ref.kind === 'listed' && !ref.entry.startsWith('sg-') ? [ref.entry] : [],
  );
  const named = new Map<string, string>();
  if (byName.length > 0) {
    const found = await call(ctx, 'DescribeSecurityGroups', () =>
      ctx.clients.ec2.send(
        new DescribeSecurityGroupsCommand({
          Filters: [
            { Name: 'vpc-id', Values: [ctx.vpcId] },
            { Name: 'tag:Name', Values: byName },
          ],
        }),
        sendOptions(ctx),
      ),
    );
    for (const g of found.SecurityGroups ?? []) {
      const name = g.Tags?.find((t) => t.Key === 'Name')?.Value;
      if (name === undefined || g.GroupId === undefined) continue;
      if (named.has(name)) {
        throw new DeployError(
          `security group name ${name} matches more than one group in ${ctx.vpcId}`,
        );
      }
      named.set(name, g.GroupId);
    }
  }
  const ids: string[] = [];
  for (const ref of refs) {
    if (ref.kind === 'managed') ids.push(state.securityGroup(ref.id));
    else if (ref.kind === 'shared-backend') ids.push(await ensureBackendSecurityGroup(ctx));
    else if (ref.entry.startsWith('sg-')) ids.push(ref.entry);
    else {
      const id = named.get(ref.entry);
      if (id === undefined) {
        throw new DeployError(`no security group tagged Name=${ref.entry} in ${ctx.vpcId}`);
      }
      ids.push(id);
    }
  }
  return [...new Set(ids)];
}

/**
 * Actions on the wire: our target groups by ARN, foreign ones by name resolved once, an
 * OIDC client secret read from its Secret unless `existing` (what AWS has) already holds it.
 */
export async function sdkActions(
  ctx: DeployContext,
  state: ApplyState,
  actions: readonly Action[],
  existing: readonly Action[] = [],
): Promise<SdkAction[]> {
  const names = actions.flatMap((a) =>
    (a.ForwardConfig?.TargetGroups ?? []).flatMap((t) =>
      t.TargetGroupName === undefined || state.foreignTargetGroups.has(t.TargetGroupName)
        ? []
        : [t.TargetGroupName],
    ),
  );
  if (names.length > 0) {
    const found = await call(ctx, 'DescribeTargetGroups', () =>
      ctx.clients.elbv2.send(
        new DescribeTargetGroupsCommand({ Names: [...new Set(names)] }),
        sendOptions(ctx),
      ),
    );
    for (const tg of found.TargetGroups ?? []) {
      if (tg.TargetGroupName !== undefined && tg.TargetGroupArn !== undefined) {
        state.foreignTargetGroups.set(tg.TargetGroupName, tg.TargetGroupArn);
      }
    }
  }
  const arnOf = (tuple: TargetGroupTuple): string => {
    if (tuple.TargetGroupArn !== undefined) return tuple.TargetGroupArn;
    if (tuple.TargetGroupId !== undefined) return state.targetGroup(tuple.TargetGroupId);
    if (tuple.TargetGroupName !== undefined) {
      return known(state.foreignTargetGroups, tuple.TargetGroupName, 'target group named');
    }
    throw new DeployError('a forward names no target group');
  };
  return withClientSecrets(ctx, actions, toSdkActions(actions, arnOf), existing);
}
