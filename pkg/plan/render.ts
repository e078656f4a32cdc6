/**
 * A plan as text lines for the CLI and logs, one change a line, in the style of a
 * `terraform plan`: `+ create`, `~ update`, `± replace`, `- delete`.
 */
import type { Change, ChangeOp } from '../model/index.ts';

const marks: Readonly<Record<ChangeOp, string>> = {
  create: '+',
  update: '~',
  replace: '±',
  delete: '-',
};

/** `± replace LoadBalancer LoadBalancer (scheme changed internal → internet-facing (new DNS name))` */
export function renderChange(change: Change): string {
  const reason = change.reason === '' ? '' : ` (${change.reason})`;
  return `${marks[change.op]} ${change.op} ${change.kind} ${change.id}${reason}`;
}

export function renderChanges(changes: readonly Change[]): readonly string[] {
  return changes.map(renderChange);
}

/** The JSON-printable part of a change, without apply's payload. */
export function changeSummary(change: Change): Change {
  return {
    op: change.op,
    kind: change.kind,
    id: change.id,
    reason: change.reason,
    ...(change.fields === undefined ? {} : { fields: change.fields }),
  };
}
