import { describe, expect, it } from 'vitest';
import { backoffDelay, nextPollAt, nominalIntervalMs } from '../src/feeds/schedule.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

/** Cron schedules are evaluated in UTC (CRON_TIMEZONE), so these hold on any machine's zone. */
describe('nextPollAt', () => {
  it('adds the interval', () => {
    const after = new Date('2025-09-26T10:07:30.000Z');
    expect(nextPollAt({ everyMs: 15 * MIN }, after).toISOString()).toBe('2025-09-26T10:22:30.000Z');
    expect(nextPollAt({ everyMs: 24 * HOUR }, after).toISOString()).toBe('2025-09-27T10:07:30.000Z');
  });

  it('finds the next cron run strictly after the given time', () => {
    const every15 = { cron: '*/15 * * * *' };
    expect(nextPollAt(every15, new Date('2025-09-26T10:07:00Z')).toISOString()).toBe('2025-09-26T10:15:00.000Z');
    // A run exactly at `after` is not the next one: the poll that just happened.
    expect(nextPollAt(every15, new Date('2025-09-26T10:15:00Z')).toISOString()).toBe('2025-09-26T10:30:00.000Z');
    expect(nextPollAt(every15, new Date('2025-09-26T23:59:59Z')).toISOString()).toBe('2025-09-27T00:00:00.000Z');
  });

  it('skips the weekend for a weekday schedule, in UTC', () => {
    const weekdays9 = { cron: '0 9 * * 1-5' };
    // 2025-09-27 is a Saturday.
    expect(nextPollAt(weekdays9, new Date('2025-09-27T12:00:00Z')).toISOString()).toBe('2025-09-29T09:00:00.000Z');
    // Friday before nine → the same day.
    expect(nextPollAt(weekdays9, new Date('2025-09-26T08:59:00Z')).toISOString()).toBe('2025-09-26T09:00:00.000Z');
    expect(nextPollAt({ cron: '0 9 * * MON-FRI' }, new Date('2025-09-27T12:00:00Z')).toISOString()).toBe(
      '2025-09-29T09:00:00.000Z',
    );
  });

  it('accepts nicknames', () => {
    expect(nextPollAt({ cron: '@hourly' }, new Date('2025-09-26T10:07:00Z')).toISOString()).toBe('2025-09-26T11:00:00.000Z');
  });
});

describe('backoffDelay', () => {
  const noJitter = (): number => 0.5;

  it('doubles the interval per consecutive failure', () => {
    const schedule = { everyMs: 5 * MIN };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, schedule, noJitter))).toEqual([
      5 * MIN,
      10 * MIN,
      20 * MIN,
      40 * MIN,
      80 * MIN,
    ]);
  });

  it('caps at six hours, however many failures', () => {
    const schedule = { everyMs: 30 * MIN };
    expect(backoffDelay(5, schedule, noJitter)).toBe(6 * HOUR); // 8 h → 6 h
    expect(backoffDelay(50, schedule, noJitter)).toBe(6 * HOUR);
    expect(backoffDelay(5000, schedule, noJitter)).toBe(6 * HOUR);
    expect(backoffDelay(1, { everyMs: 24 * HOUR }, noJitter)).toBe(6 * HOUR);
  });

  it('treats zero or negative failures as the first', () => {
    expect(backoffDelay(0, { everyMs: 5 * MIN }, noJitter)).toBe(5 * MIN);
    expect(backoffDelay(-3, { everyMs: 5 * MIN }, noJitter)).toBe(5 * MIN);
  });

  it('adds at most ±10% jitter, never above the cap nor below one minute', () => {
    const schedule = { everyMs: 10 * MIN };
    expect(backoffDelay(2, schedule, () => 0)).toBe(18 * MIN);
    expect(backoffDelay(2, schedule, () => 0.999_999)).toBeCloseTo(22 * MIN, -2);
    expect(backoffDelay(2, schedule, () => 0.75)).toBe(21 * MIN);
    expect(backoffDelay(20, schedule, () => 0.999_999)).toBe(6 * HOUR);
    expect(backoffDelay(20, schedule, () => 0)).toBe(5.4 * HOUR);
    expect(backoffDelay(1, { everyMs: MIN }, () => 0)).toBe(MIN);
  });

  it('uses Math.random by default, within the bounds', () => {
    for (let i = 0; i < 50; i++) {
      const delay = backoffDelay(3, { everyMs: 10 * MIN });
      expect(delay).toBeGreaterThanOrEqual(36 * MIN);
      expect(delay).toBeLessThanOrEqual(44 * MIN);
    }
  });

  it('uses the usual gap of a cron schedule as its interval', () => {
    expect(nominalIntervalMs({ cron: '*/15 * * * *' })).toBe(15 * MIN);
    expect(nominalIntervalMs({ cron: '0 9,17 * * *' })).toBe(8 * HOUR);
    expect(nominalIntervalMs({ cron: '0 9 * * 1-5' })).toBe(24 * HOUR);
    expect(backoffDelay(1, { cron: '*/15 * * * *' }, noJitter)).toBe(15 * MIN);
    expect(backoffDelay(3, { cron: '*/15 * * * *' }, noJitter)).toBe(60 * MIN);
    expect(backoffDelay(1, { cron: '0 9 * * 1-5' }, noJitter)).toBe(6 * HOUR);
  });
});
