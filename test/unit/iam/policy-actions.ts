/**
 * The IAM actions the code needs, and the ones iam/policy.json grants, as sets of
 * `prefix:Action` strings that the tests compare. Shared by the static test (every SDK
 * command imported under pkg/ and controller/) and the live one (every call the
 * CallCounter saw during a reconcile against moto).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const policyPath = join(repoRoot, 'iam', 'policy.json');

/** The IAM service prefix of each SDK package the code may import. */
export const iamPrefixOfPackage: Readonly<Record<string, string>> = {
  'client-elastic-load-balancing-v2': 'elasticloadbalancing',
  'client-ec2': 'ec2',
  'client-acm': 'acm',
  'client-wafv2': 'wafv2',
  'client-waf-regional': 'waf-regional',
  'client-shield': 'shield',
  'client-resource-groups-tagging-api': 'tag',
};

/** The IAM service prefix of each `service` label the CallCounter records (pkg/aws). */
export const iamPrefixOfCounterLabel: Readonly<Record<string, string>> = {
  elbv2: 'elasticloadbalancing',
  ec2: 'ec2',
  tagging: 'tag',
  acm: 'acm',
  wafv2: 'wafv2',
  'waf-regional': 'waf-regional',
  wafRegional: 'waf-regional',
  shield: 'shield',
};

/**
 * Actions AWS checks although no SDK call of that name is made: granted when one of the
 * calls in `by` is. Each needs its reason, because the "unused action" check trusts it.
 */
export const impliedActions: Readonly<
  Record<string, { readonly by: readonly string[]; readonly why: string }>
> = {
  'iam:CreateServiceLinkedRole': {
    by: ['elasticloadbalancing:CreateLoadBalancer'],
    why: "the account's first load balancer creates the ELB service-linked role",
  },
  'ec2:CreateTags': {
    by: ['ec2:CreateSecurityGroup', 'ec2:AuthorizeSecurityGroupIngress'],
    why: 'TagSpecifications on create are authorized as ec2:CreateTags',
  },
  'elasticloadbalancing:AddTags': {
    by: [
      'elasticloadbalancing:CreateLoadBalancer',
      'elasticloadbalancing:CreateTargetGroup',
      'elasticloadbalancing:CreateListener',
      'elasticloadbalancing:CreateRule',
    ],
    why: 'Tags on create are authorized as elasticloadbalancing:AddTags',
  },
  'elasticloadbalancing:SetWebAcl': {
    by: [
      'wafv2:AssociateWebACL',
      'wafv2:DisassociateWebACL',
      'waf-regional:AssociateWebACL',
      'waf-regional:DisassociateWebACL',
    ],
    why: 'associating a web ACL with an ALB is also authorized as elasticloadbalancing:SetWebAcl on the load balancer',
  },
};

export interface CodeActions {
  /** `prefix:Action` → the files that import its command. */
  readonly actions: ReadonlyMap<string, readonly string[]>;
  /** Imports the scanner cannot map to an action (a new kind of SDK use). */
  readonly unknown: readonly string[];
}

const importRe = /import\s+(type\s+)?\{([^}]*)\}\s*from\s*'@aws-sdk\/([a-z0-9-]+)'/g;

/** Every SDK command and paginator imported (as a value) by the .ts files under `dirs`. */
export async function actionsInCode(
  dirs: readonly string[] = ['pkg', 'controller'],
): Promise<CodeActions> {
  const actions = new Map<string, string[]>();
  const unknown: string[] = [];
  for (const dir of dirs) {
    for (const file of await tsFiles(join(repoRoot, dir))) {
      const source = await readFile(file, 'utf8');
      const where = file.slice(repoRoot.length);
      for (const m of source.matchAll(importRe)) {
        if (m[1] !== undefined) continue;
        const pkg = m[3] ?? '';
        const names = (m[2] ?? '')
          .split(',')
          .map((n) => n.trim())
          .filter((n) => n !== '' && !n.startsWith('type '))
          .map((n) => n.split(/\s+as\s+/)[0] ?? n);
        for (const name of names) {
          const operation = operationOf(name);
          if (operation === null) continue;
          const prefix = iamPrefixOfPackage[pkg];
          if (operation === undefined || prefix === undefined) {
            unknown.push(`${where}: ${name} from @aws-sdk/${pkg}`);
            continue;
          }
          const action = `${prefix}:${operation}`;
          actions.set(action, [...(actions.get(action) ?? []), where]);
        }
      }
    }
  }
  return { actions, unknown };
}

/** The operation a value import stands for; null for clients and error classes. */
function operationOf(name: string): string | null | undefined {
  if (/Client$|Exception$/.test(name)) return null;
  const command = /^([A-Z]\w*)Command$/.exec(name);
  if (command !== null) return command[1];
  const paginator = /^paginate([A-Z]\w*)$/.exec(name);
  if (paginator !== null) return paginator[1];
  return undefined;
}

async function tsFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
  readonly Condition?: Readonly<
    Record<string, Readonly<Record<string, string | readonly string[]>>>
  >;
}

export async function loadPolicy(): Promise<readonly PolicyStatement[]> {
  const parsed: unknown = JSON.parse(await readFile(policyPath, 'utf8'));
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    !('Statement' in parsed) ||
    !Array.isArray(parsed.Statement)
  ) {
    throw new Error(`${policyPath}: no Statement array`);
  }
  return (parsed.Statement as unknown[]).map((s, i) => toStatement(s, i));
}

function toStatement(value: unknown, index: number): PolicyStatement {
  const s = value as Record<string, unknown>;
  const list = (v: unknown, field: string): string[] => {
    const items = typeof v === 'string' ? [v] : v;
    if (!Array.isArray(items) || items.some((x) => typeof x !== 'string')) {
      throw new Error(`Statement[${String(index)}].${field}: a string or a list of strings`);
    }
    return items as string[];
  };
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') {
    throw new Error(`Statement[${String(index)}].Effect: Allow or Deny, not ${String(s.Effect)}`);
  }
  return {
    ...(typeof s.Sid === 'string' ? { Sid: s.Sid } : {}),
    Effect: s.Effect,
    Action: list(s.Action, 'Action'),
    Resource: list(s.Resource, 'Resource'),
    ...(s.Condition !== undefined
      ? { Condition: s.Condition as PolicyStatement['Condition'] & object }
      : {}),
  };
}

export function grantedActions(statements: readonly PolicyStatement[]): Set<string> {
  return new Set(statements.filter((s) => s.Effect === 'Allow').flatMap((s) => s.Action));
}

/** The actions the code needs: its calls plus what AWS checks on their behalf. */
export function neededActions(called: Iterable<string>): Set<string> {
  const needed = new Set(called);
  for (const [action, { by }] of Object.entries(impliedActions)) {
    if (by.some((b) => needed.has(b))) needed.add(action);
  }
  return needed;
}

/** The lines a failing comparison prints, ready to paste into iam/policy.json. */
export function describeDifference(
  missing: readonly string[],
  unused: readonly string[],
  whereUsed: ReadonlyMap<string, readonly string[]> = new Map(),
): string {
  const lines: string[] = [];
  if (missing.length > 0) {
    lines.push('Missing from iam/policy.json (the code calls them):');
    for (const a of missing) {
      const files = whereUsed.get(a);
      lines.push(`  "${a}",${files !== undefined ? `  // ${files.join(', ')}` : ''}`);
    }
  }
  if (unused.length > 0) {
    lines.push('Granted by iam/policy.json but called by no code path (remove them):');
    for (const a of unused) lines.push(`  "${a}"`);
  }
  return lines.join('\n');
}
