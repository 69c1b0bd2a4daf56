/**
 * The publication writes its digest schedule as a five-field Unix cron (`0 7 * * 1` = Mondays 07:00). EventBridge
 * Scheduler wants six fields, numbers weekdays 1–7 from Sunday, and needs `?` in one of the day fields. This turns
 * the one into the other, naming weekdays (MON, TUE…) so no numbering can be misread.
 */
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;

function weekday(token: string, cron: string): string {
  if (/^[A-Za-z]{3}$/.test(token)) {
    const upper = token.toUpperCase();
    if ((WEEKDAYS as readonly string[]).includes(upper)) return upper;
  }
  if (/^[0-7]$/.test(token)) {
    const name = WEEKDAYS[Number(token) % 7];
    if (name !== undefined) return name;
  }
  throw new Error(`Unsupported weekday "${token}" in digest cron "${cron}"`);
}

function dayOfWeek(field: string, cron: string): string {
  return field
    .split(',')
    .map((part) => {
      const range = part.split('-');
      if (range.length === 1) return weekday(part, cron);
      if (range.length === 2) return `${weekday(range[0] ?? '', cron)}-${weekday(range[1] ?? '', cron)}`;
      throw new Error(`Unsupported weekday range "${part}" in digest cron "${cron}"`);
    })
    .join(',');
}

/** `0 7 * * 1` → `cron(0 7 ? * MON *)`. Throws on what EventBridge cannot express (both day fields set). */
export function toScheduleCron(cron: string): string {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) {
    throw new Error(`Digest cron must have five fields (minute hour day-of-month month day-of-week), got "${cron}"`);
  }
  const [minute, hour, dom, month, dow] = fields as [string, string, string, string, string];
  for (const field of [minute, hour, dom, month]) {
    if (!/^[\d*,/-]+$/.test(field)) throw new Error(`Unsupported field "${field}" in digest cron "${cron}"`);
  }
  const anyDom = dom === '*' || dom === '?';
  const anyDow = dow === '*' || dow === '?';
  if (!anyDom && !anyDow) {
    throw new Error(`Digest cron "${cron}" sets both day-of-month and day-of-week; EventBridge allows only one`);
  }
  const dayOfMonth = anyDom ? (anyDow ? '*' : '?') : dom;
  const weekdays = anyDow ? '?' : dayOfWeek(dow, cron);
  return `cron(${minute} ${hour} ${dayOfMonth} ${month} ${weekdays} *)`;
}
