/**
 * Business hours: a weekly schedule in a time zone, with holidays (closed, or shorter hours),
 * evaluated at an instant — open or not, until when, and when it opens next — without any
 * date library (Intl does the time zone).
 */
import { ConfigError } from 'freeswitch-voice-ai';

/** Days of the week, as the schedule's keys. */
export const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
/** A day of the week. */
export type Day = (typeof DAYS)[number];

/** A day with special hours: closed (no `hours`) or open only during `hours`. */
export interface Holiday {
  /** `YYYY-MM-DD`, in the schedule's time zone. */
  date: string;
  name?: string;
  /** `["08:00-12:00"]`; absent or empty: closed all day. */
  hours?: string[];
}

/** When a secretary (or a person) takes calls. */
export interface BusinessHours {
  /** IANA time zone, e.g. `America/Sao_Paulo`. */
  timezone: string;
  /** Open ranges per day, `"08:00-12:00"`; a day absent or empty is closed. */
  weekly: Partial<Record<Day, string[]>>;
  holidays: Holiday[];
}

/** Where an instant falls in a schedule. */
export interface HoursState {
  open: boolean;
  /** The holiday that applies today, if any. */
  holiday?: string;
  /** The local time now, e.g. `Monday 10:30`. */
  localTime: string;
  /** While open: when today's range ends (`18:00`). */
  closesAt?: string;
  /** While closed: the next opening (`Monday 2026-12-28 08:00`), if within two weeks. */
  opensAt?: { weekday: string; date: string; time: string };
}

interface Range {
  from: number;
  to: number;
}

const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const RANGE = /^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$/;

/**
 * Reads a schedule from configuration: `{ "mon": ["08:00-18:00"], ... }` (this example's
 * format), or voice-ai-ivr's `{ "start": "08:00", "end": "18:00", "days": [1,2,3,4,5] }` (days
 * 0 or 7 = Sunday). A `timezone` inside wins over `defaultTimezone`. `undefined`/`null`: no
 * schedule (always open).
 *
 * @throws {@link ConfigError} naming `where` and the bad field.
 */
export function parseBusinessHours(value: unknown, defaultTimezone: string, holidays: unknown, where: string): BusinessHours | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(`${where}: business hours must be an object`, where);
  const input = value as Record<string, unknown>;
  const timezone = typeof input.timezone === 'string' && input.timezone !== '' ? input.timezone : defaultTimezone;
  checkTimezone(timezone, where);
  const weekly: Partial<Record<Day, string[]>> = {};
  if ('start' in input || 'end' in input || 'days' in input) {
    const range = `${String(input.start ?? '00:00')}-${String(input.end ?? '24:00')}`;
    const days = Array.isArray(input.days) ? input.days : [1, 2, 3, 4, 5];
    for (const d of days) {
      const day = DAYS[Number(d) % 7];
      if (day === undefined || !Number.isInteger(Number(d))) throw new ConfigError(`${where}.days: ${JSON.stringify(d)} is not a day number (0-7)`, where);
      weekly[day] = [range];
    }
  } else {
    for (const [key, ranges] of Object.entries(input)) {
      if (key === 'timezone') continue;
      if (!(DAYS as readonly string[]).includes(key)) throw new ConfigError(`${where}.${key}: unknown day (use ${DAYS.join(', ')})`, where);
      if (!Array.isArray(ranges)) throw new ConfigError(`${where}.${key}: expected a list like ["08:00-18:00"]`, where);
      weekly[key as Day] = ranges.map(String);
    }
  }
  for (const [day, ranges] of Object.entries(weekly)) for (const r of ranges ?? []) parseRange(r, `${where}.${day}`);
  return { timezone, weekly, holidays: parseHolidays(holidays, `${where}.holidays`) };
}

/** Reads `[{ "date": "2026-12-25", "name": "Christmas", "hours"?: [...] }]`. */
export function parseHolidays(value: unknown, where: string): Holiday[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ConfigError(`${where}: expected a list of { date, name?, hours? }`, where);
  return value.map((h, i) => {
    const entry = h as Record<string, unknown>;
    if (typeof entry?.date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(entry.date)) {
      throw new ConfigError(`${where}[${i}].date: expected YYYY-MM-DD`, `${where}[${i}].date`);
    }
    const hours = Array.isArray(entry.hours) ? entry.hours.map(String) : undefined;
    for (const r of hours ?? []) parseRange(r, `${where}[${i}].hours`);
    return { date: entry.date, ...(typeof entry.name === 'string' && { name: entry.name }), ...(hours && { hours }) };
  });
}

/** Open or closed at `at`, until when, and the next opening. */
export function hoursState(hours: BusinessHours, at: Date): HoursState {
  const local = localParts(at, hours.timezone);
  const minute = local.hour * 60 + local.minute;
  const localTime = `${WEEKDAY_NAMES[local.weekday]} ${clock(minute)}`;
  const today = rangesOn(hours, local.date, local.weekday);
  const current = today.ranges.find((r) => r.from <= minute && minute < r.to);
  if (current) return { open: true, localTime, closesAt: clock(current.to), ...(today.holiday && { holiday: today.holiday }) };
  const state: HoursState = { open: false, localTime, ...(today.holiday && { holiday: today.holiday }) };
  for (let offset = 0; offset <= 14; offset++) {
    const date = addDays(local.date, offset);
    const weekday = (local.weekday + offset) % 7;
    const next = rangesOn(hours, date, weekday).ranges.find((r) => offset > 0 || r.from > minute);
    if (next) {
      state.opensAt = { weekday: WEEKDAY_NAMES[weekday]!, date, time: clock(next.from) };
      break;
    }
  }
  return state;
}

/** One sentence for the model: "open now (until 18:00)" / "closed now (Christmas); opens Monday 2026-12-28 at 08:00". */
export function describeHours(state: HoursState, timezone: string): string {
  const where = `local time ${state.localTime}, ${timezone}`;
  if (state.open) return `Open now (${where}), until ${state.closesAt}.`;
  const why = state.holiday ? ` for ${state.holiday}` : '';
  const next = state.opensAt ? ` Opens ${state.opensAt.weekday} ${state.opensAt.date} at ${state.opensAt.time}.` : '';
  return `Closed now${why} (${where}).${next}`;
}

function rangesOn(hours: BusinessHours, date: string, weekday: number): { ranges: Range[]; holiday?: string } {
  const holiday = hours.holidays.find((h) => h.date === date);
  const list = holiday ? (holiday.hours ?? []) : (hours.weekly[DAYS[weekday]!] ?? []);
  const ranges = list.map((r) => parseRange(r, 'hours')).sort((a, b) => a.from - b.from);
  return { ranges, ...(holiday && { holiday: holiday.name ?? 'a holiday' }) };
}

function parseRange(text: string, where: string): Range {
  const m = RANGE.exec(text.trim());
  const from = m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  const to = m ? Number(m[3]) * 60 + Number(m[4]) : NaN;
  if (!m || Number(m[2]) > 59 || Number(m[4]) > 59 || from > 24 * 60 || to > 24 * 60 || from >= to) {
    throw new ConfigError(`${where}: ${JSON.stringify(text)} is not a range like "08:00-18:00"`, where);
  }
  return { from, to };
}

function checkTimezone(timezone: string, where: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new ConfigError(`${where}: unknown time zone ${JSON.stringify(timezone)} (use an IANA name like America/Sao_Paulo)`, where);
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar date, weekday and time of `at` in `timezone`. */
function localParts(at: Date, timezone: string): { date: string; weekday: number; hour: number; minute: number } {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timezone, f);
  }
  const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, x.value]));
  const date = `${p.year}-${p.month}-${p.day}`;
  return { date, weekday: new Date(`${date}T00:00:00Z`).getUTCDay(), hour: Number(p.hour), minute: Number(p.minute) };
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function clock(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}
