import { describe, expect, it } from 'vitest';
import { toScheduleCron } from '../../lib/schedule-cron';

describe('toScheduleCron', () => {
  it.each([
    ['0 7 * * 1', 'cron(0 7 ? * MON *)'],
    ['30 6 * * 1-5', 'cron(30 6 ? * MON-FRI *)'],
    ['0 18 * * 0', 'cron(0 18 ? * SUN *)'],
    ['0 18 * * 7', 'cron(0 18 ? * SUN *)'],
    ['0 9 * * mon,thu', 'cron(0 9 ? * MON,THU *)'],
    ['0 8 1 * *', 'cron(0 8 1 * ? *)'],
    ['*/15 * * * *', 'cron(*/15 * * * ? *)'],
  ])('%s → %s', (unix, eventBridge) => {
    expect(toScheduleCron(unix)).toBe(eventBridge);
  });

  it('rejects a cron that sets both day fields', () => {
    expect(() => toScheduleCron('0 7 1 * 1')).toThrow(/both day-of-month and day-of-week/);
  });

  it('rejects anything but five fields', () => {
    expect(() => toScheduleCron('0 7 * * 1 2026')).toThrow(/five fields/);
  });

  it('rejects unknown weekdays', () => {
    expect(() => toScheduleCron('0 7 * * 8')).toThrow(/Unsupported weekday/);
  });
});
