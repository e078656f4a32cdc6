/**
 * Flags of `albatross plan` and `albatross convert`, parsed once into a frozen value.
 * A usage error is one line naming the flag, returned (not thrown) so the command exits 2.
 */
import { parseArgs } from 'node:util';
import type { TranslateConfig } from '../translate/env.ts';
import { deepFreeze, normaliseBooleans, Reader, UsageError } from './flag-reader.ts';
import { readNodePortRange, readTranslateConfig, STACK_FLAGS } from './translate-flags.ts';
import type { NodePortRange } from '../plan/index.ts';

export type OutputFormat = 'json' | 'text';
export type RuleOrder = TranslateConfig['ruleOrder'];

export interface PlanOptions {
  readonly files: readonly string[];
  /** @default 'text' on a terminal, 'json' otherwise */
  readonly output: OutputFormat;
  /**
   * The controller's settings that change the stack (STACK_FLAGS), read by the
   * controller's own reader from the flags only: a plan depends on nothing unseen.
   * The cluster name defaults to DEFAULT_CLUSTER_NAME.
   */
  readonly translate: TranslateConfig;
  /** `--node-port-range`: what the backend rules of instance targets open. */
  readonly nodePortRange: NodePortRange;
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

export function parsePlanArgs(
  command: string,
  argv: readonly string[],
  stdoutIsTTY: boolean,
): ArgsResult<PlanOptions> {
  const args = normaliseBooleans(argv, STACK_FLAGS);
  if (args instanceof UsageError) return usage(command, args.message);
  const parsed = parse(command, args, {
    filename: { type: 'string', short: 'f', multiple: true },
    output: { type: 'string', short: 'o' },
    help: { type: 'boolean', short: 'h' },
    ...Object.fromEntries(STACK_FLAGS.map((f) => [f.name, { type: f.type }])),
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
  const flags = Object.fromEntries(
    STACK_FLAGS.map((f) => {
      const value = values[f.name];
      return [f.name, Array.isArray(value) ? undefined : value];
    }),
  );
  const reader = new Reader(flags, {}, STACK_FLAGS);
  let translate: TranslateConfig;
  let nodePortRange: NodePortRange;
  try {
    translate = readTranslateConfig(reader, { default: DEFAULT_CLUSTER_NAME });
    nodePortRange = readNodePortRange(reader);
  } catch (error) {
    if (error instanceof UsageError) return usage(command, error.message);
    throw error;
  }
  return { kind: 'ok', options: deepFreeze({ files, output, translate, nodePortRange }) };
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
      allowNegative: true,
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
