import { describe, expect, it } from 'vitest';
import { FIGURE_KEYS, figuresJson, markdownTable, meetsGoal, type Figure } from '../bench/table';

const figure = (overrides: Partial<Figure>): Figure => ({
  key: 'danglingLinks',
  value: 0,
  goal: { op: '=', target: 0 },
  how: 'counted',
  ...overrides,
});

describe('bench table', () => {
  it('judges each kind of goal, and none for a figure kept for information', () => {
    expect(meetsGoal(figure({ value: 0 }))).toBe(true);
    expect(meetsGoal(figure({ value: 1 }))).toBe(false);
    expect(meetsGoal(figure({ value: 0.95, goal: { op: '>=', target: 0.9 } }))).toBe(true);
    expect(meetsGoal(figure({ value: 95, goal: { op: '<=', target: 90 } }))).toBe(false);
    expect(meetsGoal(figure({ value: 1.3, goal: undefined }))).toBeUndefined();
    expect(meetsGoal(figure({ value: null, note: 'not measurable here' }))).toBeUndefined();
  });

  it('marks misses in the Markdown table and shows a dash for no goal', () => {
    const table = markdownTable([
      figure({ value: 2 }),
      figure({ key: 'feedRegenRatio100kVs100', value: 1.27, goal: undefined }),
    ]);
    expect(table).toContain('| `danglingLinks` | 2 ✗ | = 0 |');
    expect(table).toContain('| `feedRegenRatio100kVs100` | 1.27 | — |');
  });

  it('writes exactly the issue keys in order, and refuses a missing one', () => {
    const all = FIGURE_KEYS.map((key) => figure({ key, value: 1 }));
    expect(Object.keys(figuresJson(all))).toEqual([...FIGURE_KEYS]);
    expect(() => figuresJson(all.slice(1))).toThrow(/no figure for submitInitMs/);
  });
});
