/**
 * What `doctor` finds: one finding per check — passed, a warning, failed, or skipped (and why) —
 * each failure with the fix an operator applies, printed as a list and summed up.
 */

/** The outcome of one check. */
export type Status = 'pass' | 'warn' | 'fail' | 'skip';

/** One check's result. */
export interface Finding {
  /** Stable id (`esl-auth`, `dialplan`, ...), for scripts reading `--json`. */
  id: string;
  status: Status;
  /** What was found, one line. */
  summary: string;
  /** What to do about it (failures and warnings). */
  fix?: string;
}

const MARK: Record<Status, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' };

/** The finding as printed lines. */
export function formatFinding(f: Finding): string[] {
  const lines = [`  ${MARK[f.status]}  ${f.summary}`];
  if (f.fix && (f.status === 'fail' || f.status === 'warn')) for (const line of f.fix.split('\n')) lines.push(`        ${line}`);
  return lines;
}

/** `3 passed, 1 warning, 1 failed, 2 skipped`. */
export function tally(findings: readonly Finding[]): string {
  const n = (s: Status): number => findings.filter((f) => f.status === s).length;
  const parts = [`${n('pass')} passed`, `${n('warn')} warning${n('warn') === 1 ? '' : 's'}`, `${n('fail')} failed`];
  if (n('skip') > 0) parts.push(`${n('skip')} skipped`);
  return parts.join(', ');
}
