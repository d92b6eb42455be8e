import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { MachineInfo } from './machine.js';

/** One line of the result table. `value: null` means the measurement was not taken. */
export interface ResultRow {
  readonly scenario: string;
  readonly metric: string;
  readonly value: number | null;
  readonly unit: string;
  /** The ceiling this figure is compared with, measured in the same run. */
  readonly ceiling?:
    { readonly name: string; readonly value: number; readonly unit: string } | undefined;
  /** value / ceiling.value */
  readonly ratio?: number | undefined;
  /** Human-readable target, e.g. "ratio >= 0.40" or "<= 25 ms". */
  readonly target?: string | undefined;
  /** Whether the target was met; undefined when there is no target or no value. */
  readonly met?: boolean | undefined;
  readonly note?: string | undefined;
}

export interface BenchReport {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly wallSeconds: number;
  readonly mode: string;
  readonly options: Record<string, unknown>;
  readonly machine: MachineInfo;
  readonly loadAverageAtEnd: readonly number[];
  readonly rows: readonly ResultRow[];
}

/** Rows in scenario order (1 ceilings, 2 commands, ...), stable within a scenario. */
export function inScenarioOrder(rows: readonly ResultRow[]): ResultRow[] {
  const rank = (row: ResultRow): number => Number(/^\d+/.exec(row.scenario)?.[0] ?? 99);
  return rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => rank(a.row) - rank(b.row) || a.index - b.index)
    .map(({ row }) => row);
}

/** Collects rows as scenarios finish; prints each one at once so a long run shows progress. */
export class Results {
  readonly rows: ResultRow[] = [];

  add(row: ResultRow): void {
    this.rows.push(row);
    process.stdout.write(`  ${formatLine(row)}\n`);
  }

  /** A row against a ceiling, with the ratio and whether it meets `minRatio` (when given). */
  againstCeiling(
    base: Omit<ResultRow, 'ceiling' | 'ratio' | 'met' | 'target'>,
    ceiling: ResultRow['ceiling'],
    minRatio?: number,
  ): void {
    const ratio =
      ceiling && base.value !== null && ceiling.value > 0 ? base.value / ceiling.value : undefined;
    this.add({
      ...base,
      ceiling,
      ratio,
      ...(minRatio === undefined
        ? {}
        : {
            target: `ratio >= ${minRatio.toFixed(2)}`,
            met: ratio === undefined ? undefined : ratio >= minRatio,
          }),
    });
  }

  /** A row with an upper bound target (latency, lag). */
  atMost(base: Omit<ResultRow, 'met' | 'target'>, limit: number): void {
    this.add({
      ...base,
      target: `<= ${limit} ${base.unit}`,
      met: base.value === null || Number.isNaN(base.value) ? undefined : base.value <= limit,
    });
  }

  /** A row with a lower bound target (rates). */
  atLeast(base: Omit<ResultRow, 'met' | 'target'>, limit: number): void {
    this.add({
      ...base,
      target: `>= ${limit.toLocaleString('en-US')} ${base.unit}`,
      met: base.value === null || Number.isNaN(base.value) ? undefined : base.value >= limit,
    });
  }

  notRun(scenario: string, reason: string): void {
    this.add({ scenario, metric: '-', value: null, unit: '', note: `not run: ${reason}` });
  }
}

const COLUMNS = ['scenario', 'metric', 'value', 'ceiling', 'ratio', 'target', 'met?'] as const;

/** The whole table, fixed-width, with notes under it. */
export function formatTable(rows: readonly ResultRow[]): string {
  const cells = rows.map((row) => [
    row.scenario,
    row.metric,
    row.value === null ? 'not run (see notes)' : formatValue(row.value, row.unit),
    row.ceiling ? `${formatValue(row.ceiling.value, row.ceiling.unit)} (${row.ceiling.name})` : '',
    row.ratio === undefined ? '' : formatRatio(row.ratio),
    row.target ?? '',
    row.met === undefined ? '' : row.met ? 'yes' : 'NO',
  ]);
  const widths = COLUMNS.map((title, i) =>
    Math.max(title.length, ...cells.map((c) => (c[i] ?? '').length)),
  );
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join(' | ')
      .trimEnd();
  const out = [line(COLUMNS), widths.map((w) => '-'.repeat(w)).join('-|-')];
  for (const c of cells) out.push(line(c));
  const notes = rows.filter((r) => r.note);
  if (notes.length > 0) {
    out.push('', 'notes:');
    for (const r of notes) out.push(`  ${r.scenario} / ${r.metric}: ${r.note ?? ''}`);
  }
  return out.join('\n');
}

/** The same table as Markdown, for docs/benchmarks.md. */
export function formatMarkdown(rows: readonly ResultRow[]): string {
  const out = [
    '| scenario | metric | value | ceiling | ratio | target | met? | notes |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const row of rows) {
    out.push(
      `| ${[
        row.scenario,
        row.metric,
        row.value === null ? (row.note ?? 'not run') : formatValue(row.value, row.unit),
        row.ceiling
          ? `${formatValue(row.ceiling.value, row.ceiling.unit)} (${row.ceiling.name})`
          : '',
        row.ratio === undefined ? '' : formatRatio(row.ratio),
        row.target ?? '',
        row.met === undefined ? '' : row.met ? 'yes' : 'no',
        row.value === null ? '' : (row.note ?? ''),
      ].join(' | ')} |`,
    );
  }
  return out.join('\n');
}

export function writeJson(file: string, report: BenchReport): void {
  writeText(file, `${JSON.stringify(report, null, 2)}\n`);
}

export function writeText(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

function formatLine(row: ResultRow): string {
  if (row.value === null) return `${row.scenario}: ${row.note ?? 'not run'}`;
  const parts = [`${row.scenario} / ${row.metric}: ${formatValue(row.value, row.unit)}`];
  if (row.ratio !== undefined) parts.push(`ratio ${formatRatio(row.ratio)}`);
  if (row.target)
    parts.push(
      `target ${row.target} ${row.met === undefined ? '' : row.met ? '(met)' : '(NOT met)'}`,
    );
  if (row.note) parts.push(row.note);
  return parts.join('  ');
}

function formatValue(value: number, unit: string): string {
  if (Number.isNaN(value)) return `n/a ${unit}`.trim();
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 })} ${unit}`.trim();
}

function formatRatio(ratio: number): string {
  return ratio < 0.1 ? ratio.toFixed(3) : ratio.toFixed(2);
}
