/**
 * Side by side with the reference controller (aws-load-balancer-controller v3.5.0): our
 * figures for the reference's three shapes, measured the way a user runs us (the
 * compiled controller as a process, the image's Node flags, `--workers 3`, leader
 * election off, a fresh environment per run, every AWS call counted by one proxy; see
 * compare-run.ts), beside the reference's figures, with the ratio and the goal.
 *
 * The reference cannot be built here (the Go module proxy refuses it): its figures are
 * carried in `REFERENCE`, as measured on this kind of machine (2 cores, the same
 * kube-apiserver + moto, 3 concurrent reconciles, its default client-side throttles).
 * The emulator never throttles and the reference's figures are not bound by its own
 * limits, so we run with `--aws-api-rate-limits off`; BENCH_DEFAULT_LIMITS=1 adds one
 * converge of the 100 Ingresses with our default limits (about 80 % of AWS's buckets:
 * CreateLoadBalancer 0.16/s after a burst of 8, so about ten minutes, as on AWS).
 *
 * Environment: BENCH_RUNS (default 2; medians), BENCH_SHAPES (`single,group,small`),
 * BENCH_INGRESSES / BENCH_GROUP_INGRESSES / BENCH_SMALL_INGRESSES (100 / 50 / 20; other
 * sizes print no ratio), BENCH_QUIET_SECONDS (5: no AWS call for this long ends a phase).
 */
import { build } from './memory-bench.ts';
import { formatCounts, median } from './bench-controller.ts';
import { imageNodeFlags } from './controller-rss.ts';
import { compareRun, type RunFigures, type Shape } from './compare-run.ts';

/** The reference's figures for one shape; `undefined`: not measured. */
interface Reference {
  readonly addressesSeconds?: number;
  readonly lastCallSeconds?: number;
  readonly convergeCalls?: number;
  readonly convergeWrites?: number;
  readonly touchCalls?: number;
  readonly restartCalls?: number;
  readonly deleteCalls?: number;
  readonly deleteSeconds?: number;
  readonly rssMiB?: number;
  readonly rssNoIngressMiB?: number;
}

interface ShapeSpec extends Shape {
  readonly key: string;
  /** The size the reference was measured at. */
  readonly referenceSize: number;
  readonly reference: Reference;
}

const int = (name: string, fallback: number): number => {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`${name} must be a whole number of 1 or more, not "${text}"`);
  }
  return n;
};

function shapes(): ShapeSpec[] {
  const all: ShapeSpec[] = [
    {
      key: 'single',
      name: 'single Ingresses, 2 paths / 2 NodePort Services each',
      ingresses: int('BENCH_INGRESSES', 100),
      grouped: false,
      referenceSize: 100,
      reference: {
        addressesSeconds: 24.3,
        lastCallSeconds: 45.7,
        convergeCalls: 2890,
        convergeWrites: 1017,
        touchCalls: 1702,
        restartCalls: 1716,
        deleteCalls: 1253,
        deleteSeconds: 46.3,
        rssMiB: 80,
        rssNoIngressMiB: 55,
      },
    },
    {
      key: 'group',
      name: 'Ingresses in one group',
      ingresses: int('BENCH_GROUP_INGRESSES', 50),
      grouped: true,
      referenceSize: 50,
      reference: {
        addressesSeconds: 3.7,
        lastCallSeconds: 21.8,
        convergeCalls: 560,
        deleteCalls: 417,
      },
    },
    {
      key: 'small',
      name: 'single Ingresses',
      ingresses: int('BENCH_SMALL_INGRESSES', 20),
      grouped: false,
      referenceSize: 20,
      reference: {
        addressesSeconds: 4.7,
        convergeCalls: 579,
        convergeWrites: 212,
        touchCalls: 302,
        restartCalls: 304,
        deleteCalls: 243,
        rssMiB: 72,
      },
    },
  ];
  const wanted = (process.env.BENCH_SHAPES ?? 'single,group,small').split(',');
  const unknown = wanted.filter((w) => !all.some((s) => s.key === w));
  if (unknown.length > 0) {
    throw new Error(
      `BENCH_SHAPES names ${unknown.join(', ')}; allowed: ${all.map((s) => s.key).join(', ')}`,
    );
  }
  return all.filter((s) => wanted.includes(s.key));
}

const load = (l: readonly number[]): string => l.map((x) => x.toFixed(2)).join(' ');

/** One table row: figure, ours, the reference's, ratio, goal, verdict. */
type Row = readonly [string, string, string, string, string, string];

function num(n: number | undefined, digits = 0): string {
  return n === undefined || Number.isNaN(n) ? '—' : n.toFixed(digits);
}

/** A ratio row judged by `ratio ≤ goal` (no goal: only the ratio). */
function ratioRow(
  figure: string,
  ours: number | undefined,
  ref: number | undefined,
  digits: number,
  goal?: number,
): Row {
  const ratio = ours !== undefined && ref !== undefined ? ours / ref : undefined;
  const verdict =
    goal === undefined || ratio === undefined ? '' : ratio <= goal ? 'met' : 'not met';
  return [
    figure,
    num(ours, digits),
    num(ref, digits),
    ratio === undefined ? '—' : ratio.toFixed(2),
    goal === undefined ? '—' : `≤ ${goal.toFixed(2)}`,
    verdict,
  ];
}

function printTable(rows: readonly Row[]): void {
  const head: Row = ['figure', 'Albatross', 'reference', 'ratio', 'goal', ''];
  const widths = head.map((_, c) => Math.max(...[head, ...rows].map((r) => r[c]?.length ?? 0)));
  const line = (r: Row): string =>
    `  | ${r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join(' | ')} |`;
  console.log(line(head));
  console.log(`  |${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

function medianOf(runs: readonly RunFigures[], pick: (r: RunFigures) => number | undefined) {
  const values = runs.map(pick).filter((v): v is number => v !== undefined);
  return values.length === 0 ? undefined : median(values);
}

function rows(spec: ShapeSpec, runs: readonly RunFigures[]): Row[] {
  const comparable = spec.ingresses === spec.referenceSize;
  const ref: Reference = comparable ? spec.reference : {};
  const m = (pick: (r: RunFigures) => number | undefined) => medianOf(runs, pick);
  const groups = runs[0]?.groups ?? 1;
  const restartReads = m((r) => (r.restart ? r.restart.calls - r.restart.writes : undefined));
  const restartWrites = m((r) => r.restart?.writes);
  const perGroup = restartReads === undefined ? undefined : restartReads / groups;
  const left = runs.map((r) => r.leftOver?.length ?? 0);
  return [
    ratioRow(
      'every address (s)',
      m((r) => r.addressesSeconds),
      ref.addressesSeconds,
      1,
      0.33,
    ),
    ratioRow(
      'last AWS call (s)',
      m((r) => r.lastCallSeconds),
      ref.lastCallSeconds,
      1,
      0.33,
    ),
    ratioRow(
      'calls to converge',
      m((r) => r.converge.calls),
      ref.convergeCalls,
      0,
      0.5,
    ),
    ratioRow(
      '  writes to converge',
      m((r) => r.converge.writes),
      ref.convergeWrites,
      0,
    ),
    ratioRow(
      'calls, every Ingress touched',
      m((r) => r.touch?.calls),
      ref.touchCalls,
      0,
      0.5,
    ),
    ratioRow(
      'calls after a restart',
      m((r) => r.restart?.calls),
      ref.restartCalls,
      0,
    ),
    [
      '  restart: reads per group, writes',
      `${num(perGroup, 1)}, ${num(restartWrites)}`,
      '',
      '',
      '≤ 3, 0',
      perGroup === undefined ? '' : perGroup <= 3 && restartWrites === 0 ? 'met' : 'not met',
    ],
    ratioRow(
      'calls to delete',
      m((r) => r.delete?.calls),
      ref.deleteCalls,
      0,
      0.5,
    ),
    [
      '  left after the delete',
      left.every((n) => n === 0) ? 'nothing' : `problems: ${left.join(', ')} (per run)`,
      comparable ? 'nothing' : '—',
      '',
      'nothing',
      left.every((n) => n === 0) ? 'met' : 'not met',
    ],
    ratioRow(
      'delete time (s)',
      m((r) => r.deleteSeconds),
      ref.deleteSeconds,
      1,
    ),
    ratioRow(
      'RSS with the fleet (MiB)',
      m((r) => r.rssRestartedMiB),
      ref.rssMiB,
      0,
      1,
    ),
    ratioRow(
      'RSS, no Ingress (MiB)',
      m((r) => r.rssNoIngressMiB),
      ref.rssNoIngressMiB,
      0,
      1,
    ),
  ];
}

function printRun(i: number, r: RunFigures): void {
  console.log(
    `  run ${String(i + 1)} (load ${load(r.loadStart)} → ${load(r.loadEnd)}): addresses ${r.addressesSeconds.toFixed(1)} s, last call ${r.lastCallSeconds.toFixed(1)} s, converge ${String(r.converge.calls)} calls (${String(r.converge.writes)} writes), touched ${num(r.touch?.calls)}, restart ${num(r.restart?.calls)} (${num(r.restart?.writes)} writes), delete ${num(r.delete?.calls)} calls in ${num(r.deleteSeconds, 1)} s, RSS ${num(r.rssNoIngressMiB)} → ${num(r.rssFleetMiB)} MiB (restarted ${num(r.rssRestartedMiB)})`,
  );
  for (const problem of r.leftOver ?? []) console.log(`    left: ${problem}`);
}

export async function bench(): Promise<void> {
  const buildStarted = performance.now();
  await build();
  const runs = int('BENCH_RUNS', 2);
  const quietMs = int('BENCH_QUIET_SECONDS', 5) * 1000;
  const timeoutMs = 900_000;
  console.log(
    `compare: the compiled controller (dist/, built in ${((performance.now() - buildStarted) / 1000).toFixed(0)} s) with the image's flags ${imageNodeFlags().join(' ')}, --workers 3, leader election off, --aws-api-rate-limits off (the emulator never throttles; see the default-limits line); calls counted at one proxy; a phase ends after ${String(quietMs / 1000)} s without an AWS call; medians of ${String(runs)} runs, each in a fresh environment`,
  );
  for (const spec of shapes()) {
    console.log(`\n  ${String(spec.ingresses)} ${spec.name}`);
    const figures: RunFigures[] = [];
    for (let i = 0; i < runs; i++) {
      const r = await compareRun(spec, { rateLimits: 'off', quietMs, timeoutMs });
      figures.push(r);
      printRun(i, r);
    }
    const last = figures.at(-1);
    if (last !== undefined) {
      console.log(`    last run, restart calls: ${formatCounts(last.restart?.byAction ?? {})}`);
      console.log(`    last run, delete calls: ${formatCounts(last.delete?.byAction ?? {})}`);
    }
    if (spec.ingresses !== spec.referenceSize) {
      console.log(
        `    (the reference was measured at ${String(spec.referenceSize)}: no ratio at ${String(spec.ingresses)})`,
      );
    }
    printTable(rows(spec, figures));
  }
  if (process.env.BENCH_DEFAULT_LIMITS === '1') {
    const n = int('BENCH_INGRESSES', 100);
    const r = await compareRun(
      { name: 'single', ingresses: n, grouped: false },
      { quietMs, timeoutMs: 1_800_000, convergeOnly: true },
    );
    console.log(
      `\n  with our default client-side limits, ${String(n)} single Ingresses (load ${load(r.loadStart)} → ${load(r.loadEnd)}): every address after ${r.addressesSeconds.toFixed(1)} s, last AWS call ${r.lastCallSeconds.toFixed(1)} s, ${String(r.converge.calls)} calls`,
    );
  } else {
    console.log(
      `\n  the converge with our default client-side limits (about ten minutes for 100 new ALBs) is opt-in: BENCH_DEFAULT_LIMITS=1`,
    );
  }
}
