/**
 * Flags of `albatross plan` and `albatross convert`, parsed once into a frozen value.
 * A usage error is one line naming the flag, returned (not thrown) so the command exits 2.
 */
import { parseArgs } from 'node:util';

export type OutputFormat = 'json' | 'text';
export type RuleOrder = 'specification' | 'reference';

export interface PlanOptions {
  readonly files: readonly string[];
  /** @default 'default' */
  readonly clusterName: string;
  /** @default 'text' on a terminal, 'json' otherwise */
  readonly output: OutputFormat;
  /** @default 'specification' */
  readonly ruleOrder: RuleOrder;
}

export interface ConvertOptions {
  readonly files: readonly string[];
}

export type ArgsResult<T> =
  | { readonly kind: 'ok'; readonly options: T }
  | { readonly kind: 'help' }
  | { readonly kind: 'usage-error'; readonly message: string };

/** Cluster name used offline when none is given; it only feeds names and tags. */
export const DEFAULT_CLUSTER_NAME = 'default';

const CLUSTER_NAME = /^[A-Za-z0-9][-A-Za-z0-9_.]{0,62}$/;

export function parsePlanArgs(
  command: string,
  argv: readonly string[],
  stdoutIsTTY: boolean,
): ArgsResult<PlanOptions> {
  const parsed = parse(command, argv, {
    filename: { type: 'string', short: 'f', multiple: true },
    'cluster-name': { type: 'string' },
    output: { type: 'string', short: 'o' },
    'rule-order': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (parsed.kind !== 'ok') return parsed;
  const values = parsed.values;
  if (values.help === true) return { kind: 'help' };
  const files = stringList(values.filename);
  if (files.length === 0) {
    return usage(command, '-f is required: a file, a directory or - for stdin');
  }
  const output = values.output ?? (stdoutIsTTY ? 'text' : 'json');
  if (output !== 'json' && output !== 'text') {
    return usage(command, `--output must be json or text, not '${String(output)}'`);
  }
  const ruleOrder = values['rule-order'] ?? 'specification';
  if (ruleOrder !== 'specification' && ruleOrder !== 'reference') {
    return usage(
      command,
      `--rule-order must be specification or reference, not '${String(ruleOrder)}'`,
    );
  }
  const clusterName = values['cluster-name'] ?? DEFAULT_CLUSTER_NAME;
  if (typeof clusterName !== 'string' || !CLUSTER_NAME.test(clusterName)) {
    return usage(
      command,
      `--cluster-name must be 1 to 63 letters, digits, '-', '_' or '.', not '${String(clusterName)}'`,
    );
  }
  return { kind: 'ok', options: Object.freeze({ files, clusterName, output, ruleOrder }) };
}

export function parseConvertArgs(
  command: string,
  argv: readonly string[],
): ArgsResult<ConvertOptions> {
  const parsed = parse(command, argv, {
    filename: { type: 'string', short: 'f', multiple: true },
    help: { type: 'boolean', short: 'h' },
  });
  if (parsed.kind !== 'ok') return parsed;
  if (parsed.values.help === true) return { kind: 'help' };
  const files = stringList(parsed.values.filename);
  if (files.length === 0) {
    return usage(command, '-f is required: a file, a directory or - for stdin');
  }
  return { kind: 'ok', options: Object.freeze({ files }) };
}

type OptionSpec = Readonly<
  Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>
>;
type Values = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;

function parse(
  command: string,
  argv: readonly string[],
  options: OptionSpec,
):
  | { readonly kind: 'ok'; readonly values: Values }
  | { readonly kind: 'usage-error'; readonly message: string } {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options,
      strict: true,
      allowPositionals: true,
    });
    const stray = positionals[0];
    if (stray !== undefined) {
      return usage(command, `unexpected argument '${stray}': give manifests with -f`);
    }
    return { kind: 'ok', values };
  } catch (error) {
    // parseArgs reports by throwing; keep its subject (the flag) and drop its advice.
    const text = error instanceof Error ? error.message : String(error);
    const flag = /'([^']+)'/.exec(text)?.[1];
    if (text.startsWith('Unknown option') && flag !== undefined) {
      return usage(command, `unknown flag ${flag}`);
    }
    if (text.includes('argument missing') && flag !== undefined) {
      return usage(command, `${flag.replace(/^-\w, /, '').replace(/ <value>$/, '')} needs a value`);
    }
    return usage(command, text.split('\n')[0] ?? text);
  }
}

function stringList(value: Values[string]): string[] {
  if (value === undefined || typeof value === 'boolean') return [];
  if (typeof value === 'string') return [value];
  return value.filter((v): v is string => typeof v === 'string');
}

function usage(command: string, message: string): { kind: 'usage-error'; message: string } {
  return {
    kind: 'usage-error',
    message: `albatross ${command}: ${message} (see albatross ${command} --help)`,
  };
}
