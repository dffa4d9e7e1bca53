import { describe, expect, it } from 'vitest';
import { describeHours, hoursState, parseBusinessHours } from '../../../examples/secretary/hours.js';

const week = { mon: ['08:00-12:00', '13:00-18:00'], tue: ['08:00-18:00'], wed: ['08:00-18:00'], thu: ['08:00-18:00'], fri: ['08:00-17:00'] };
const holidays = [{ date: '2026-12-25', name: 'Christmas' }, { date: '2026-12-24', name: 'Christmas Eve', hours: ['08:00-12:00'] }];
const hours = parseBusinessHours(week, 'America/Sao_Paulo', holidays, 'test')!;
const at = (iso: string): ReturnType<typeof hoursState> => hoursState(hours, new Date(iso));

describe('business hours', () => {
  it('is open inside a range of the day, in the time zone of the schedule', () => {
    // 13:30 UTC is 10:30 in São Paulo (UTC-3): Monday morning.
    expect(at('2026-12-07T13:30:00Z')).toEqual({ open: true, localTime: 'Monday 10:30', closesAt: '12:00' });
    expect(at('2026-12-07T15:30:00Z')).toMatchObject({ open: false, localTime: 'Monday 12:30', opensAt: { weekday: 'Monday', date: '2026-12-07', time: '13:00' } });
    expect(at('2026-12-07T20:59:00Z')).toMatchObject({ open: true, closesAt: '18:00' });
    expect(at('2026-12-07T21:00:00Z')).toMatchObject({ open: false, opensAt: { weekday: 'Tuesday', date: '2026-12-08', time: '08:00' } });
  });

  it('is closed on the weekend until Monday', () => {
    expect(at('2026-12-12T15:00:00Z')).toMatchObject({ open: false, localTime: 'Saturday 12:00', opensAt: { weekday: 'Monday', date: '2026-12-14', time: '08:00' } });
  });

  it('follows holidays: closed all day, or shorter hours', () => {
    expect(at('2026-12-25T13:00:00Z')).toMatchObject({ open: false, holiday: 'Christmas', opensAt: { weekday: 'Monday', date: '2026-12-28', time: '08:00' } });
    expect(at('2026-12-24T13:00:00Z')).toMatchObject({ open: true, holiday: 'Christmas Eve', closesAt: '12:00' });
    expect(at('2026-12-24T16:00:00Z')).toMatchObject({ open: false, holiday: 'Christmas Eve' });
    expect(describeHours(at('2026-12-25T13:00:00Z'), hours.timezone)).toBe(
      'Closed now for Christmas (local time Friday 10:00, America/Sao_Paulo). Opens Monday 2026-12-28 at 08:00.',
    );
  });

  it("reads voice-ai-ivr's {start, end, days} and a timezone inside the value", () => {
    const ivr = parseBusinessHours({ start: '09:00', end: '17:00', days: [1, 2, 3, 4, 5], timezone: 'America/Los_Angeles' }, 'America/Sao_Paulo', [], 't')!;
    expect(ivr.timezone).toBe('America/Los_Angeles');
    expect(ivr.weekly).toEqual({ mon: ['09:00-17:00'], tue: ['09:00-17:00'], wed: ['09:00-17:00'], thu: ['09:00-17:00'], fri: ['09:00-17:00'] });
    // 13:30 UTC is 05:30 in Los Angeles.
    expect(hoursState(ivr, new Date('2026-12-07T13:30:00Z'))).toMatchObject({ open: false, localTime: 'Monday 05:30', opensAt: { time: '09:00', date: '2026-12-07' } });
    expect(parseBusinessHours(null, 'UTC', [], 't')).toBeUndefined();
  });

  it.each([
    [{ mon: ['8-18'] }, /not a range like "08:00-18:00"/],
    [{ mon: ['18:00-08:00'] }, /not a range/],
    [{ monday: ['08:00-18:00'] }, /unknown day/],
    [{ mon: '08:00-18:00' }, /expected a list/],
    [{ timezone: 'Mars/Olympus', mon: [] }, /unknown time zone/],
    [[], /must be an object/],
  ])('rejects %j with a message naming the field', (value, message) => {
    expect(() => parseBusinessHours(value, 'UTC', [], 'secretary x business_hours')).toThrow(message);
  });
});
