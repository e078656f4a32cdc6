/**
 * buildStack: one IngressGroup + the environment → the desired Stack and the problems of
 * each member. Pure, and total: every field of the Ingress is treated as possibly
 * missing, nothing throws.
 *
 * Freezing. A member with an error problem is listed in `frozenMembers` and none of its
 * own resources (rules, target groups) are in the stack; the planner leaves what it has in
 * AWS alone. Group-level settings are different: the load balancer and the listeners are
 * shared, so the valid annotations of a frozen member (scheme, listen ports, certificates
 * …) still count. Otherwise one bad path in a member could flip the scheme and replace the
 * ALB, or delete the listener its own rules still serve on.
 *
 * Conflicts. An exclusive annotation (see group-rules.ts for the full table) takes the
 * value of the first member in group order that sets it; a later member that sets another
 * value is frozen with an error naming the first, and the first gets a warning naming the
 * later one, so both owners see the conflict. That keeps what already runs unchanged and
 * puts the blame on the member that disagrees. Merged maps (tags, load-balancer-attributes)
 * follow the same rule per key. A port listed with two protocols freezes the later member.
 */
import { albAnnotation } from '../annotations/index.ts';
import type { Cidr } from '../annotations/index.ts';
import type { IngressGroup } from '../ingress/group.ts';
import { AlbQuotas, quotaFlags, showSubnetTags } from '../model/index.ts';
import type {
  Action,
  Listener,
  ListenerRule,
  LoadBalancerQuotas,
  LoadBalancer,
  Problem,
  SecurityGroup,
  SecurityGroupRef,
  Stack,
  TargetGroup,
} from '../model/index.ts';
import {
  FRONTEND_SECURITY_GROUP_ID,
  listenerId,
  LOAD_BALANCER_ID,
  loadBalancerName,
  resourceTags,
  ruleId,
} from '../naming/index.ts';
import { authOnHttpProblems, authSecretTags, withAuth } from './auth.ts';
import { groupAddons } from './addons.ts';
import { listenerCertificates } from './certificate-discovery.ts';
import type { ListenerCertificates } from './certificate-discovery.ts';
import type { MemberDraft } from './drafts.ts';
import { FIXED_404 } from './drafts.ts';
import type { Env, TranslateConfig } from './env.ts';
import { externalTagProblems, withoutExternalTags } from './external-tags.ts';
import { conflictWarning } from './group-rules.ts';
import { groupListenPorts } from './listen-ports.ts';
import { listenerSettings } from './listener-settings.ts';
import {
  ipv6TargetGroupProblems,
  lbAddressingProblems,
  unusedSourceWarnings,
} from './load-balancer-options.ts';
import { compileMember } from './member.ts';
import { problem } from './problems.ts';
import { orderRules } from './rule-order.ts';
import { backendAccessRules, defaultCidrs, frontendSecurityGroup } from './security-groups.ts';
import { paramsSubnetTags } from './subnet-tags.ts';
import { selectSubnets } from './subnets.ts';

export interface BuildResult {
  readonly stack: Stack;
  readonly problems: readonly Problem[];
}

/** "an ALB allows at most N", naming the flag when the account's quota is not AWS's default. */
function allows(quotas: LoadBalancerQuotas, which: keyof typeof quotaFlags): string {
  const n = quotas[which];
  return n === AlbQuotas[which]
    ? `an ALB allows at most ${String(n)}`
    : `this account's load balancers allow at most ${String(n)} (${quotaFlags[which]}; AWS's default is ${String(AlbQuotas[which])})`;
}

class Freezer {
  readonly problems: Problem[];
  readonly frozen = new Set<string>();
  constructor(initial: readonly Problem[]) {
    this.problems = [...initial];
    for (const p of initial) if (p.severity === 'error') this.frozen.add(p.ingress);
  }
  add(p: Problem): void {
    this.problems.push(p);
    if (p.severity === 'error') this.frozen.add(p.ingress);
  }
}

/** First member in order that sets the value wins; a later, different value freezes its member. */
function exclusive<T>(
  drafts: readonly MemberDraft[],
  short: string,
  get: (d: MemberDraft) => T | undefined,
  show: (v: T) => string,
  f: Freezer,
): { readonly value: T; readonly owner: string } | undefined {
  let first: { readonly value: T; readonly owner: string } | undefined;
  for (const d of drafts) {
    const v = get(d);
    if (v === undefined) continue;
    if (first === undefined) {
      first = { value: v, owner: d.key };
    } else if (show(v) !== show(first.value)) {
      f.add(
        problem(
          d.key,
          albAnnotation(short),
          show(v),
          `conflicts with ${first.owner}, which sets '${show(first.value)}'; in a group this annotation must be set on one member only or to the same value on all`,
        ),
      );
      f.add(conflictWarning(first.owner, short, show(first.value), d.key, show(v)));
    }
  }
  return first;
}

/** Merged maps: union of keys, the first member in order wins a key; a different value freezes. */
function mergedMap(
  drafts: readonly MemberDraft[],
  short: string,
  get: (d: MemberDraft) => Readonly<Record<string, string>> | undefined,
  f: Freezer,
): Readonly<Record<string, string>> {
  const out: Record<string, string> = {};
  const owners = new Map<string, string>();
  for (const d of drafts) {
    for (const [k, v] of Object.entries(get(d) ?? {})) {
      const had = out[k];
      if (had === undefined) {
        out[k] = v;
        owners.set(k, d.key);
      } else if (had !== v) {
        f.add(
          problem(
            d.key,
            albAnnotation(short),
            `${k}=${v}`,
            `conflicts with ${owners.get(k) ?? ''}, which sets ${k}=${had}; in a group a key must have the same value on every member that sets it`,
          ),
        );
        f.add(conflictWarning(owners.get(k) ?? '', short, `${k}=${had}`, d.key, `${k}=${v}`));
      }
    }
  }
  return out;
}

const showList = (v: readonly string[]): string => v.join(',');

function emptyStack(group: IngressGroup, frozen: readonly string[]): Stack {
  return {
    id: group.id,
    members: group.members.map((m) => m.key),
    frozenMembers: frozen,
    loadBalancer: null,
    listeners: [],
    rules: [],
    targetGroups: [],
    securityGroups: [],
    backendRules: [],
  };
}

export function buildStack(group: IngressGroup, env: Env, config: TranslateConfig): BuildResult {
  const f = new Freezer(group.problems);
  if (group.members.length === 0) return { stack: emptyStack(group, []), problems: f.problems };
  // A member its class's namespaceSelector rejects is frozen by its problem, and unlike
  // other frozen members adds nothing to the shared settings (see pkg/ingress/class-params.ts).
  const drafts = group.members
    .filter((m) => m.params?.rejected !== true)
    .map((m, i) => compileMember(m, i, group.id, env, config));
  for (const d of drafts) for (const p of d.problems) f.add(p);
  const cluster = config.clusterName;
  const owner = (resource: string): { cluster: string; stack: string; resource: string } => ({
    cluster,
    stack: group.id,
    resource,
  });

  // Group-level settings, from every member whose annotation was valid.
  const scheme =
    exclusive(drafts, 'scheme', (d) => d.annotations.scheme, String, f)?.value ??
    config.defaultScheme;
  const ipAddressType =
    exclusive(drafts, 'ip-address-type', (d) => d.annotations.ipAddressType, String, f)?.value ??
    'ipv4';
  const explicitName = exclusive(
    drafts,
    'load-balancer-name',
    (d) => d.annotations.loadBalancerName,
    String,
    f,
  );
  const subnets = exclusive(drafts, 'subnets', (d) => d.annotations.subnets, showList, f);
  const securityGroups = exclusive(
    drafts,
    'security-groups',
    (d) => d.annotations.securityGroups,
    showList,
    f,
  );
  const inboundCidrs = exclusive(
    drafts,
    'inbound-cidrs',
    (d) => d.annotations.inboundCidrs,
    (v: readonly Cidr[]) => v.map((c) => c.cidr).join(','),
    f,
  );
  const sslPolicy = exclusive(
    drafts,
    'ssl-policy',
    (d) => d.annotations.sslPolicy,
    String,
    f,
  )?.value;
  const sslRedirect = exclusive(
    drafts,
    'ssl-redirect',
    (d) => d.annotations.sslRedirect,
    String,
    f,
  );
  const lbAttributes = mergedMap(
    drafts,
    'load-balancer-attributes',
    (d) => d.annotations.loadBalancerAttributes,
    f,
  );
  const groupTags = mergedMap(drafts, 'tags', (d) => d.annotations.tags, f);
  for (const d of drafts)
    for (const p of externalTagProblems(d.key, d.annotations.tags, config)) f.add(p);
  const prefixLists = exclusive(
    drafts,
    'security-group-prefix-lists',
    (d) => d.annotations.prefixLists,
    showList,
    f,
  );
  const manageBackendRules =
    exclusive(
      drafts,
      'manage-backend-security-group-rules',
      (d) => d.annotations.manageBackendSecurityGroupRules,
      String,
      f,
    )?.value ?? false;
  const coipPool = exclusive(
    drafts,
    'customer-owned-ipv4-pool',
    (d) => d.annotations.customerOwnedIpv4Pool,
    String,
    f,
  );
  const ipamPool = exclusive(
    drafts,
    'ipam-ipv4-pool-id',
    (d) => d.annotations.ipamIpv4PoolId,
    String,
    f,
  )?.value;
  const capacity = exclusive(
    drafts,
    'minimum-load-balancer-capacity',
    (d) => d.annotations.minimumCapacityUnits,
    (n) => `CapacityUnits=${n}`,
    f,
  )?.value;
  const addons = groupAddons(drafts, config.addons);
  for (const p of addons.problems) f.add(p);

  // Listen ports, merged; one protocol per port (see listen-ports.ts).
  const { listeners, portsOf, implicitOn } = groupListenPorts(drafts, (p) => {
    f.add(p);
  });

  // Certificates of each HTTPS listener: given, or discovered by host (may freeze members,
  // except implicit ones, which leave the port instead).
  const certificatesOf = new Map<number, ListenerCertificates>();
  for (const [port, protocol] of listeners) {
    if (protocol !== 'HTTPS') continue;
    const found = listenerCertificates({
      port,
      members: drafts.filter((d) => (portsOf.get(d.key) ?? []).includes(port)),
      frozen: f.frozen,
      available: env.certificates,
      allowedCas: config.allowedCertificateAuthorityArns ?? [],
      implicit: implicitOn.get(port) ?? new Set(),
    });
    for (const p of found.problems) f.add(p);
    for (const key of found.dropped) {
      const mine = portsOf.get(key) ?? [];
      mine.splice(mine.indexOf(port), 1);
    }
    if (drafts.some((d) => (portsOf.get(d.key) ?? []).includes(port))) {
      certificatesOf.set(port, found);
    } else {
      listeners.delete(port);
    }
  }

  let redirectPort: number | undefined = sslRedirect?.value;
  if (sslRedirect !== undefined && listeners.get(sslRedirect.value) !== 'HTTPS') {
    const https = [...listeners].filter(([, p]) => p === 'HTTPS').map(([port]) => port);
    f.add(
      problem(
        sslRedirect.owner,
        albAnnotation('ssl-redirect'),
        String(sslRedirect.value),
        `must be an HTTPS listen port of the group; HTTPS ports: ${https.length === 0 ? 'none' : https.join(', ')}`,
      ),
    );
    redirectPort = undefined;
  }

  const subnetTags = paramsSubnetTags(group.members);
  for (const p of subnetTags.problems) f.add(p);
  const subnetResult = selectSubnets(subnets?.value, scheme, cluster, env.subnets, subnetTags.tags);
  if (!subnetResult.ok) {
    for (const d of drafts) {
      f.add(
        problem(
          d.key,
          subnetTags.tags !== undefined
            ? 'IngressClassParams spec.subnets.tags'
            : albAnnotation('subnets'),
          subnetTags.tags !== undefined
            ? showSubnetTags(subnetTags.tags)
            : subnets === undefined
              ? ''
              : showList(subnets.value),
          subnetResult.message,
        ),
      );
    }
  }

  const addressing = lbAddressingProblems(drafts, scheme, ipAddressType, coipPool);
  for (const p of addressing.problems) f.add(p);
  for (const p of ipv6TargetGroupProblems(drafts, addressing.ipAddressType)) f.add(p);
  for (const p of unusedSourceWarnings(drafts, securityGroups !== undefined)) f.add(p);

  // Default backend: the single one among the members that still build.
  const withDefault = drafts.filter((d) => !f.frozen.has(d.key) && d.defaultBackend !== undefined);
  const defaultKeys = new Set(withDefault.map((d) => d.defaultBackend?.key));
  if (defaultKeys.size > 1) {
    const names = withDefault.map((d) => d.key).join(', ');
    for (const d of withDefault) {
      f.add(
        problem(
          d.key,
          'spec.defaultBackend',
          d.defaultBackend?.key ?? '',
          `members ${names} set different default backends; a group has one listener default: set spec.defaultBackend on one member only`,
        ),
      );
    }
  }

  // Limits, in member order: the member that would exceed one is frozen.
  const carries = (port: number): boolean =>
    !(listeners.get(port) === 'HTTP' && redirectPort !== undefined);
  const protocolOf = (port: number) => listeners.get(port);
  for (const p of authOnHttpProblems(drafts, portsOf, protocolOf, carries)) f.add(p);
  const perListener = listenerSettings(drafts, portsOf, protocolOf, (p) => {
    f.add(p);
  });
  // A frozen member's rules and target groups stay in AWS, so they count against the
  // quotas: counted from its manifest (what it would hold), whichever froze it, including a
  // member this very check freezes.
  const rulesOf = (d: MemberDraft) =>
    d.rules.length * (portsOf.get(d.key) ?? []).filter(carries).length;
  const groupsOf = (d: MemberDraft) => [
    ...d.targetGroups.map((t) => t.id),
    ...d.foreignTargetGroups,
  ];
  const quotas = config.quotas ?? AlbQuotas;
  let ruleCount = 0;
  const tgSeen = new Set<string>();
  let heldRules = 0;
  const heldGroups = new Set<string>();
  const hold = (d: MemberDraft) => {
    heldRules += rulesOf(d);
    for (const id of groupsOf(d)) heldGroups.add(id);
  };
  for (const d of drafts) if (f.frozen.has(d.key)) hold(d);
  const kept = (n: number) => (n === 0 ? '' : ` and the ${n} frozen members keep in AWS`);
  for (const d of drafts) {
    if (f.frozen.has(d.key)) continue;
    const rulesHere = rulesOf(d);
    const seen = new Set([...tgSeen, ...heldGroups]);
    const tgsHere = new Set(groupsOf(d).filter((id) => !seen.has(id)));
    if (ruleCount + heldRules + rulesHere > quotas.rulesPerLoadBalancer) {
      f.add(
        problem(
          d.key,
          'spec.rules',
          String(rulesHere),
          `adds ${rulesHere} listener rules to the ${ruleCount} of the members before it${kept(heldRules)}; ${allows(quotas, 'rulesPerLoadBalancer')}`,
        ),
      );
      hold(d);
      continue;
    }
    if (seen.size + tgsHere.size > quotas.targetGroupsPerLoadBalancer) {
      f.add(
        problem(
          d.key,
          'spec.rules',
          String(tgsHere.size),
          `adds ${tgsHere.size} target groups to the ${tgSeen.size} of the members before it${kept(seen.size - tgSeen.size)}; ${allows(quotas, 'targetGroupsPerLoadBalancer')}`,
        ),
      );
      hold(d);
      continue;
    }
    ruleCount += rulesHere;
    for (const id of tgsHere) tgSeen.add(id);
  }

  const live = drafts.filter((d) => !f.frozen.has(d.key));
  // Every member frozen: nothing new may be created for them. What the group already has
  // in AWS keeps serving, since the planner leaves frozen members' resources alone.
  if (live.length === 0) {
    return {
      stack: emptyStack(
        group,
        group.members.map((m) => m.key),
      ),
      problems: f.problems,
    };
  }
  const defaultBackend = live.find((d) => d.defaultBackend !== undefined)?.defaultBackend;
  const defaultActions: readonly Action[] = defaultBackend?.actions ?? [FIXED_404];

  const managedSg = securityGroups === undefined;
  // With user-given groups the backend rules are ours only when the user says so
  // (manage-backend-security-group-rules), and then the shared backend group must be on
  // the ALB too, or those rules would admit nothing.
  const backendRulesManaged = managedSg || manageBackendRules;
  const sgRefs: readonly SecurityGroupRef[] = managedSg
    ? [{ kind: 'managed', id: FRONTEND_SECURITY_GROUP_ID }, { kind: 'shared-backend' }]
    : [
        ...securityGroups.value.map((entry): SecurityGroupRef => ({ kind: 'listed', entry })),
        ...(manageBackendRules ? [{ kind: 'shared-backend' } as const] : []),
      ];

  const loadBalancer: LoadBalancer = {
    id: LOAD_BALANCER_ID,
    name: explicitName?.value ?? loadBalancerName({ cluster, groupId: group.id, scheme }),
    scheme,
    ipAddressType: addressing.ipAddressType,
    subnets: subnetResult.selection,
    securityGroups: sgRefs,
    attributes: lbAttributes,
    tags: resourceTags(
      owner(LOAD_BALANCER_ID),
      config.defaultTags,
      withoutExternalTags(groupTags, config),
    ),
    ...(addressing.customerOwnedIpv4Pool === undefined
      ? {}
      : { customerOwnedIpv4Pool: addressing.customerOwnedIpv4Pool }),
    ...(ipamPool === undefined ? {} : { ipamIpv4PoolId: ipamPool }),
    ...(capacity === undefined ? {} : { minimumCapacityUnits: capacity }),
  };

  const ports = [...listeners.keys()].sort((a, b) => a - b);
  const listenerList: Listener[] = [];
  const rules: ListenerRule[] = [];
  for (const port of ports) {
    const protocol = listeners.get(port) ?? 'HTTP';
    const id = listenerId(port);
    const found = certificatesOf.get(port);
    const redirect = protocol === 'HTTP' && redirectPort !== undefined;
    const https = protocol === 'HTTPS';
    const listenerDefaults = https
      ? withAuth(defaultActions, defaultBackend?.auth)
      : defaultActions;
    const settings = perListener.get(port);
    listenerList.push({
      id,
      port,
      protocol,
      certificates: (found?.certificates ?? []).map((certificateArn) => ({ certificateArn })),
      ...(found?.discovery !== undefined ? { certificateDiscovery: found.discovery } : {}),
      ...(protocol === 'HTTPS' ? { sslPolicy: sslPolicy ?? config.defaultSslPolicy } : {}),
      defaultActions: redirect
        ? [
            {
              Type: 'redirect',
              RedirectConfig: {
                Protocol: 'HTTPS',
                Port: String(redirectPort),
                StatusCode: 'HTTP_301',
              },
            },
          ]
        : listenerDefaults,
      ...(settings?.mutualAuthentication === undefined
        ? {}
        : { mutualAuthentication: settings.mutualAuthentication }),
      attributes: settings?.attributes ?? {},
      tags: {
        ...resourceTags(owner(id), config.defaultTags, withoutExternalTags(groupTags, config)),
        ...(redirect ? {} : authSecretTags(listenerDefaults)),
      },
    });
    if (redirect) continue;
    const here = live
      .filter((d) => (portsOf.get(d.key) ?? []).includes(port))
      .flatMap((d) => d.rules);
    orderRules(here, config.ruleOrder).forEach((r, i) => {
      const rid = ruleId(port, r.member, {
        host: r.host,
        pathType: r.pathType,
        path: r.path,
        occurrence: r.occurrence,
      });
      const memberTags = drafts[r.memberIndex]?.annotations.tags;
      const actions = https ? withAuth(r.actions, r.auth) : r.actions;
      rules.push({
        id: rid,
        listenerId: id,
        priority: i + 1,
        member: r.member,
        conditions: r.conditions,
        actions,
        transforms: r.transforms,
        tags: {
          ...resourceTags(
            { ...owner(rid), ingress: r.member },
            config.defaultTags,
            withoutExternalTags(memberTags, config),
          ),
          ...authSecretTags(actions),
        },
      });
    });
  }

  const targetGroups: TargetGroup[] = live.flatMap((d) => d.targetGroups);
  const securityGroupList: SecurityGroup[] = managedSg
    ? [
        frontendSecurityGroup(
          group.id,
          ports,
          // As the reference: prefix lists alone replace the open default.
          inboundCidrs?.value ?? (prefixLists === undefined ? defaultCidrs(ipAddressType) : []),
          config,
          withoutExternalTags(groupTags, config),
          prefixLists?.value ?? [],
        ),
      ]
    : [];

  const stack: Stack = {
    id: group.id,
    members: group.members.map((m) => m.key),
    frozenMembers: group.members.filter((m) => f.frozen.has(m.key)).map((m) => m.key),
    loadBalancer,
    listeners: listenerList,
    rules,
    targetGroups,
    securityGroups: securityGroupList,
    backendRules: backendRulesManaged ? backendAccessRules(targetGroups, env) : [],
    ...(addons.addons !== undefined ? { addons: addons.addons } : {}),
  };
  return { stack, problems: f.problems };
}
