/** The benchmark's output: one row per figure, printed as Markdown and written as JSON with exactly the issue's keys. */
export const FIGURE_KEYS = [
  'digestMessagesPerSecondPerCore',
  'mjmlCompilesPerEdition',
  'speedupVsPerRecipientMjml',
  'feedRegenRatio100kVs100',
  'submitBundleKB',
  'submitInitMs',
  'costRatioVsSesFloor',
  'submitP99Ms',
] as const;

export type FigureKey = (typeof FIGURE_KEYS)[number];

export interface Figure {
  key: FigureKey;
  /** null only when the figure truly cannot be measured (say why in `note`). */
  value: number | null;
  goal: { op: '>=' | '<='; target: number; unit?: string };
  how: string;
  /** Shown instead of the number when value is null. */
  note?: string;
}

export function meetsGoal(figure: Figure): boolean | undefined {
  if (figure.value === null) return undefined;
  return figure.goal.op === '>=' ? figure.value >= figure.goal.target : figure.value <= figure.goal.target;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function markdownTable(figures: readonly Figure[]): string {
  const lines = ['| figure | value | goal | how measured |', '|---|---|---|---|'];
  for (const figure of figures) {
    const met = meetsGoal(figure);
    const value =
      figure.value === null
        ? (figure.note ?? 'n/a')
        : `${figure.value.toLocaleString('en-US')}${met === false ? ' ✗' : ' ✓'}`;
    const goal = `${figure.goal.op === '>=' ? '≥' : '≤'} ${figure.goal.target.toLocaleString('en-US')}${figure.goal.unit ? ` ${figure.goal.unit}` : ''}`;
    lines.push(`| \`${figure.key}\` | ${cell(value)} | ${goal} | ${cell(figure.how)} |`);
  }
  return lines.join('\n');
}

/** Exactly the eight keys, in the issue's order; a missing figure is a bug in the runner, not a null. */
export function figuresJson(figures: readonly Figure[]): Record<FigureKey, number | null> {
  const byKey = new Map(figures.map((figure) => [figure.key, figure.value]));
  const out = {} as Record<FigureKey, number | null>;
  for (const key of FIGURE_KEYS) {
    if (!byKey.has(key)) throw new Error(`The benchmark produced no figure for ${key}`);
    out[key] = byKey.get(key) ?? null;
  }
  return out;
}
