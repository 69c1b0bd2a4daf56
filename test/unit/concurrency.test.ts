import { describe, expect, it } from 'vitest';
import { mapConcurrently } from '../../lambdas/core/shared/concurrency';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('mapConcurrently', () => {
  it('answers in the order of the items, whatever order the calls finish in', async () => {
    const results = await mapConcurrently([30, 1, 15, 5], 4, async (ms) => {
      await tick(ms);
      return ms * 2;
    });
    expect(results).toEqual([60, 2, 30, 10]);
  });

  it('never has more than the limit in flight', async () => {
    let inFlight = 0;
    let most = 0;
    await mapConcurrently([...Array(20).keys()], 3, async () => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await tick(1);
      inFlight -= 1;
    });
    expect(most).toBe(3);
  });

  it('rejects when one call fails', async () => {
    await expect(
      mapConcurrently([1, 2, 3], 2, async (n) => {
        if (n === 2) throw new Error('no');
        return n;
      }),
    ).rejects.toThrow('no');
  });

  it('answers an empty list without calling anything', async () => {
    expect(await mapConcurrently([], 8, async () => 1)).toEqual([]);
  });
});
