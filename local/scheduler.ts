import { CronExpressionParser } from 'cron-parser';

export interface ScheduleDefinition {
  name: string;
  /** Five-field cron in `timeZone`, or a fixed interval. */
  when: { cron: string; timeZone: string } | { everyMs: number };
  /** Called with the scheduled time, like EventBridge Scheduler's `<aws.scheduler.scheduled-time>`. */
  fire: (scheduledTime: Date) => Promise<void>;
}

/** EventBridge Scheduler for the local stack: one timer per schedule, each firing awaited before the next. */
export class Scheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly schedules: ScheduleDefinition[],
    private readonly onError: (name: string, error: unknown) => void,
  ) {}

  start(): void {
    for (const schedule of this.schedules) this.arm(schedule, new Date());
  }

  nextRun(name: string, after = new Date()): Date | undefined {
    const schedule = this.schedules.find((s) => s.name === name);
    return schedule ? nextTime(schedule, after) : undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    await Promise.all(this.running);
  }

  private arm(schedule: ScheduleDefinition, after: Date): void {
    if (this.stopped) return;
    const at = nextTime(schedule, after);
    // setTimeout caps at ~24.8 days; re-arm in steps for schedules further out.
    const delay = Math.min(Math.max(0, at.getTime() - Date.now()), 2 ** 31 - 1);
    this.timers.set(
      schedule.name,
      setTimeout(() => {
        if (Date.now() < at.getTime()) return this.arm(schedule, after);
        const run = schedule
          .fire(at)
          .catch((error: unknown) => this.onError(schedule.name, error))
          .finally(() => {
            this.running.delete(run);
            this.arm(schedule, at);
          });
        this.running.add(run);
      }, delay),
    );
  }
}

function nextTime(schedule: ScheduleDefinition, after: Date): Date {
  if ('everyMs' in schedule.when) return new Date(after.getTime() + schedule.when.everyMs);
  return CronExpressionParser.parse(schedule.when.cron, { tz: schedule.when.timeZone, currentDate: after })
    .next()
    .toDate();
}
