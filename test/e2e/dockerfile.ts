/**
 * Just enough of a Dockerfile reader for the image test: stages, and each stage's
 * instructions with continuation lines joined. No Docker engine runs on these machines,
 * so the test checks the Dockerfile's text and lays out its files by the same script.
 */
export interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

export interface Stage {
  readonly from: string;
  readonly name?: string;
  readonly instructions: readonly Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const joined = text
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n')
    .replace(/\\\n/g, ' ');
  const stages: { from: string; name?: string; instructions: Instruction[] }[] = [];
  for (const line of joined.split('\n')) {
    const m = /^\s*([A-Za-z]+)\s+(.*\S)\s*$/.exec(line);
    if (m === null) continue;
    const keyword = (m[1] ?? '').toUpperCase();
    const args = (m[2] ?? '').replace(/\s+/g, ' ');
    if (keyword === 'FROM') {
      const [from = '', , name] = args.split(' ');
      stages.push({ from, ...(name !== undefined ? { name } : {}), instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ keyword, args });
    }
  }
  return stages;
}

export function argsOf(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
}

/** The exec form (`["a", "b"]`) of ENTRYPOINT or CMD. */
export function execForm(stage: Stage, keyword: 'ENTRYPOINT' | 'CMD'): string[] {
  const raw = argsOf(stage, keyword).at(-1);
  if (raw === undefined) return [];
  const parsed: unknown = JSON.parse(raw);
  if (!Array.isArray(parsed) || parsed.some((p) => typeof p !== 'string')) {
    throw new Error(`${keyword} is not in exec form: ${raw}`);
  }
  return parsed as string[];
}

/** `LABEL k="v" k2="v2"` → keys. */
export function labelKeys(stage: Stage): string[] {
  return argsOf(stage, 'LABEL').flatMap((a) =>
    [...a.matchAll(/([\w.-]+)=("(?:[^"\\]|\\.)*"|\S+)/g)].map((m) => m[1] ?? ''),
  );
}
