/** The benchmark's output: one row per figure, printed as Markdown and written as JSON with exactly the issue's keys. */
export const FIGURE_KEYS = [
  'submitInitMs',
  'submitInitMsRuntimeSdk',
  'submitInitRatio',
  'largestBundleKB',
  'freshnessP95Ms',
  'freshnessP95MsUnderLoad',
  'danglingLinks',
  'feedRegenReadsRatio100kVs100',
  'feedRegenRatio100kVs100',
  'editionRecipientsPerSecond',
  'editionRateRatio',
  'maxEditionHtmlKB',
  'digestMessagesPerSecondPerCore',
  'mjmlCompilesPerEdition',
  'speedupVsPerRecipientMjml',
  'costRatioVsSesFloor',
] as const;

export type FigureKey = (typeof FIGURE_KEYS)[number];

export interface Figure {
  key: FigureKey;
  /** null only when the figure truly cannot be measured (say why in `note`). */
  value: number | null;
  /** Absent for figures kept for information (the issue sets no goal for them). */
  goal?: { op: '>=' | '<=' | '='; target: number; unit?: string };
  how: string;
  /** Shown instead of the number when value is null. */
  note?: string;
}

export function meetsGoal(figure: Figure): boolean | undefined {
  if (figure.value === null || figure.goal === undefined) return undefined;
  const { op, target } = figure.goal;
  if (op === '=') return figure.value === target;
  return op === '>=' ? figure.value >= target : figure.value <= target;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function markdownTable(figures: readonly Figure[]): string {
  const lines = ['| figure | value | goal | how measured |', '|---|---|---|---|'];
  for (const figure of figures) {
    const met = meetsGoal(figure);
    const value =
      figure.value === null
        ? (figure.note ?? 'n/a')
        : `${figure.value.toLocaleString('en-US')}${met === undefined ? '' : met ? ' ✓' : ' ✗'}`;
    const goal = figure.goal
      ? `${{ '>=': '≥', '<=': '≤', '=': '=' }[figure.goal.op]} ${figure.goal.target.toLocaleString('en-US')}${figure.goal.unit ? ` ${figure.goal.unit}` : ''}`
      : '—';
    lines.push(`| \`${figure.key}\` | ${cell(value)} | ${goal} | ${cell(figure.how)} |`);
  }
  return lines.join('\n');
}

/** Exactly the issue's keys, in its order; a missing figure is a bug in the runner, not a null. */
export function figuresJson(figures: readonly Figure[]): Record<FigureKey, number | null> {
  const byKey = new Map(figures.map((figure) => [figure.key, figure.value]));
  const out = {} as Record<FigureKey, number | null>;
  for (const key of FIGURE_KEYS) {
    if (!byKey.has(key)) throw new Error(`The benchmark produced no figure for ${key}`);
    out[key] = byKey.get(key) ?? null;
  }
  return out;
}
