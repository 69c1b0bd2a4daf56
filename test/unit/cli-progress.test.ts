import { describe, expect, it } from 'vitest';
import { forEachConcurrent } from '../../local/cli/concurrency';
import { ProgressBar } from '../../local/cli/progress';

function stream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, isTTY, columns: 80, write: (text: string) => writes.push(text) };
}

describe('ProgressBar', () => {
  it('redraws one line in place on a terminal and ends it with a newline', () => {
    let now = 0;
    const out = stream(true);
    const bar = new ProgressBar(out, 'importing', 4, () => now);
    for (let done = 1; done <= 4; done += 1) {
      now += 100;
      bar.update(done);
    }
    bar.finish();
    expect(out.writes.every((text) => text.startsWith('\r\x1b[2K') || text === '\n')).toBe(true);
    expect(out.writes.at(-2)).toBe('\r\x1b[2Kimporting [########################] 4/4 100%');
    expect(out.writes.at(-1)).toBe('\n');
  });

  it('throttles terminal redraws', () => {
    const out = stream(true);
    const bar = new ProgressBar(out, 'importing', 1000, () => 0);
    for (let done = 1; done <= 1000; done += 1) bar.update(done);
    expect(out.writes).toHaveLength(1);
  });

  it('prints a plain line per tenth of the way when not on a terminal', () => {
    const out = stream(false);
    const bar = new ProgressBar(out, 'importing', 100, () => 0);
    for (let done = 0; done <= 100; done += 1) bar.update(done);
    bar.finish();
    expect(out.writes).toHaveLength(11);
    expect(out.writes[0]).toBe('importing [........................] 0/100 0%\n');
    expect(out.writes.at(-1)).toBe('importing [########################] 100/100 100%\n');
  });

  it('shows a count when the total is not known yet', () => {
    const bar = new ProgressBar(stream(false), 'sending', undefined);
    bar.update(3, { detail: 'planning' });
    expect(bar.line()).toBe('sending 3 planning');
  });
});

describe('forEachConcurrent', () => {
  it('never runs more than the limit at once and visits every item', async () => {
    let running = 0;
    let peak = 0;
    const visited: number[] = [];
    await forEachConcurrent([1, 2, 3, 4, 5, 6, 7, 8, 9], 4, async (item) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 2));
      visited.push(item);
      running -= 1;
    });
    expect(peak).toBe(4);
    expect(visited.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('stops starting new items after a worker throws, and rethrows', async () => {
    const started: number[] = [];
    const work = forEachConcurrent([1, 2, 3, 4, 5, 6], 2, async (item) => {
      started.push(item);
      await Promise.resolve();
      if (item === 1) throw new Error('revoked');
    });
    await expect(work).rejects.toThrow('revoked');
    expect(started.length).toBeLessThan(6);
  });
});
