/**
 * How a flag becomes a setting, for every command that takes the controller's settings
 * (`albatross controller`, `albatross plan`): one spec per flag (name, the environment
 * variables consulted after it, default and help), one reader that names the source of a
 * bad value, the value and what is allowed. Reads no environment itself: the caller
 * passes the variables it consults (controller/config.ts the process's, `plan` none).
 */

export type Env = Readonly<Record<string, string | undefined>>;

export interface FlagSpec {
  readonly name: string;
  readonly type: 'string' | 'boolean';
  /** Variables consulted in order after the flag. */
  readonly env: readonly string[];
  readonly default: string;
  readonly help: string;
}

export function flag(
  name: string,
  extraEnv: readonly string[],
  def: string,
  help: string,
): FlagSpec {
  return { name, type: 'string', env: [envName(name), ...extraEnv], default: def, help };
}

export function booleanFlag(name: string, def: string, help: string): FlagSpec {
  return { ...flag(name, [], def, help), type: 'boolean' };
}

function envName(flagName: string): string {
  return `ALBATROSS_${flagName.toUpperCase().replaceAll('-', '_')}`;
}

/** A bad setting: the one line a command prints before exiting 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** What a value parser allows; `Reader` turns it into the one-line message. */
class Allowed extends Error {
  override readonly name = 'Allowed';
  readonly allowed: string;
  constructor(allowed: string) {
    super(allowed);
    this.allowed = allowed;
  }
}

/** Ends a value parser: the value is not one of `allowed`. */
export function fail(allowed: string): never {
  throw new Allowed(allowed);
}

export type FlagValues = Readonly<Record<string, string | boolean | undefined>>;

/** Reads one setting from the flag or its variables, naming its source in any error. */
export class Reader {
  readonly #values: FlagValues;
  readonly #env: Env;
  readonly #specs: readonly FlagSpec[];

  constructor(values: FlagValues, env: Env, specs: readonly FlagSpec[]) {
    this.#values = values;
    this.#env = env;
    this.#specs = specs;
  }

  value<T>(name: string, def: T, parse: (raw: string) => T): T {
    const found = this.#lookup(name);
    return found === undefined ? def : this.#parse(found, parse);
  }

  optional<T>(name: string, parse: (raw: string) => T): T | undefined {
    const found = this.#lookup(name);
    return found === undefined ? undefined : this.#parse(found, parse);
  }

  required<T>(name: string, parse: (raw: string) => T): T {
    const found = this.#lookup(name);
    if (found === undefined) {
      throw new UsageError(`--${name} is required (or set ${this.#spec(name).env.join(' or ')})`);
    }
    return this.#parse(found, parse);
  }

  boolean(name: string, def: boolean): boolean {
    const given = this.#values[name];
    if (typeof given === 'boolean') return given;
    const found = this.#lookup(name);
    if (found === undefined) return def;
    return this.#parse(found, (v) => {
      if (/^(true|1|yes)$/i.test(v)) return true;
      if (/^(false|0|no)$/i.test(v)) return false;
      return fail('true or false');
    });
  }

  #lookup(name: string): { readonly raw: string; readonly source: string } | undefined {
    const given = this.#values[name];
    if (typeof given === 'string') return { raw: given, source: `--${name}` };
    for (const variable of this.#spec(name).env) {
      const raw = this.#env[variable];
      // An empty variable is how a Deployment template leaves a setting out.
      if (raw !== undefined && raw !== '') return { raw, source: `${variable} (--${name})` };
    }
    return undefined;
  }

  #parse<T>(found: { raw: string; source: string }, parse: (raw: string) => T): T {
    try {
      return parse(found.raw);
    } catch (err) {
      if (!(err instanceof Allowed)) throw err;
      throw new UsageError(`${found.source} must be ${err.allowed}, not '${found.raw}'`);
    }
  }

  #spec(name: string): FlagSpec {
    const spec = this.#specs.find((f) => f.name === name);
    if (spec === undefined) throw new Error(`no flag --${name}`);
    return spec;
  }
}

/**
 * `--flag=false` and `--flag=true` for boolean flags, as Go programs accept them, turned
 * into what node:util parseArgs takes (`--no-flag`, `--flag`).
 */
export function normaliseBooleans(
  argv: readonly string[],
  specs: readonly FlagSpec[],
): string[] | UsageError {
  const booleans = new Set(specs.filter((f) => f.type === 'boolean').map((f) => f.name));
  const out: string[] = [];
  for (const arg of argv) {
    const match = /^--([a-z0-9-]+)=(.*)$/.exec(arg);
    const name = match?.[1] ?? '';
    if (match === null || !booleans.has(name)) {
      out.push(arg);
      continue;
    }
    const value = (match[2] ?? '').toLowerCase();
    if (value !== 'true' && value !== 'false') {
      return new UsageError(`--${name} must be true or false, not '${match[2] ?? ''}'`);
    }
    out.push(value === 'true' ? `--${name}` : `--no-${name}`);
  }
  return out;
}

/** Help lines of `specs`, with the variables each consults when `withEnv`. */
export function flagHelp(specs: readonly FlagSpec[], withEnv: boolean): string[] {
  return specs.flatMap((f) => [
    `  --${f.name}${f.type === 'string' ? ' VALUE' : ''}${withEnv ? `  [${f.env.join(', ')}]` : ''}  default: ${f.default}`,
    `      ${f.help}`,
  ]);
}

export function isDnsSubdomain(v: string): boolean {
  return v.length <= 253 && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(v);
}

/** Settings are frozen once parsed: nothing downstream may change them. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
