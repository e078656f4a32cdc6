/**
 * What every soak phase returns (test/soak/run.ts prints them as one table): the faults
 * it injected by kind, the writes lost, the controller kills, how long converging took
 * and the invariant audit at its end. A phase leaves out what it does not do.
 */
export interface PhaseReport {
  readonly name: string;
  /** Wall-clock seconds of the whole phase. */
  readonly seconds: number;
  /** Faults injected by kind (`throttle`, `5xx`, `reset`, `slow`, `lost-write`, …). */
  readonly faults?: Readonly<Record<string, number>>;
  /** AWS calls the phase saw, faulted or not. */
  readonly calls?: number;
  readonly lostWrites?: number;
  readonly kills?: number;
  /** The slowest converge of the phase, in seconds (every Ingress addressed / applied). */
  readonly convergeSeconds?: number;
  /** The slowest time from the faults stopping to a clean audit, in seconds. */
  readonly auditSeconds?: number;
  /** The last audit: every violation as a sentence; empty when clean. */
  readonly audit: { readonly clean: boolean; readonly problems: readonly string[] };
  /** Free-form lines the phase wants printed under the table. */
  readonly details?: readonly string[];
}

/** The reports as a fixed-width table, one row per phase. */
export function summaryTable(reports: readonly PhaseReport[]): string {
  const header = ['phase', 'faults by kind', 'lost writes', 'kills', 'converge', 'audit', 'time'];
  const rows = reports.map((r) => [
    r.name,
    r.faults === undefined
      ? '-'
      : Object.entries(r.faults)
          .filter(([, n]) => n > 0)
          .map(([k, n]) => `${k} ${String(n)}`)
          .join(', ') || 'none',
    r.lostWrites === undefined ? '-' : String(r.lostWrites),
    r.kills === undefined ? '-' : String(r.kills),
    r.convergeSeconds === undefined ? '-' : `${r.convergeSeconds.toFixed(1)} s`,
    r.audit.clean
      ? `clean${r.auditSeconds === undefined ? '' : ` (${r.auditSeconds.toFixed(1)} s)`}`
      : `${String(r.audit.problems.length)} problems`,
    `${r.seconds.toFixed(0)} s`,
  ]);
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join(' | ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}
