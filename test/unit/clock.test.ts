import { describe, expect, it } from 'vitest';
import { systemClock, TestClock } from '../../lib/clock.js';

const DAY = 86_400_000;

describe('the clock', () => {
  it('the system clock reads real time', () => {
    const before = Date.now();
    const read = systemClock.now().getTime();
    expect(read).toBeGreaterThanOrEqual(before);
    expect(read).toBeLessThanOrEqual(Date.now());
  });

  it('a test clock reads real time until it is moved, then keeps running from where it was put', () => {
    const clock = new TestClock();
    const before = Date.now();
    expect(clock.now().getTime()).toBeGreaterThanOrEqual(before);
    expect(clock.now().getTime()).toBeLessThanOrEqual(Date.now());

    const advanced = clock.advance(30 * DAY).getTime();
    expect(advanced).toBeGreaterThanOrEqual(before + 30 * DAY);
    expect(advanced).toBeLessThanOrEqual(Date.now() + 30 * DAY);
    // It runs on: a later reading is never earlier than an earlier one.
    expect(clock.now().getTime()).toBeGreaterThanOrEqual(advanced);

    const target = new Date('2031-06-01T12:00:00Z');
    const set = clock.set(target).getTime();
    expect(set).toBeGreaterThanOrEqual(target.getTime());
    expect(set - target.getTime()).toBeLessThan(60_000);

    const reset = clock.reset().getTime();
    expect(reset).toBeGreaterThanOrEqual(before);
    expect(reset).toBeLessThanOrEqual(Date.now());
  });
});
