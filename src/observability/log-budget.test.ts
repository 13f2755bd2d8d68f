import { describe, expect, it } from 'vitest';
import { LogBudget } from './log-budget.ts';

describe('LogBudget', () => {
  it('allows the window budget, then refuses until the next window', () => {
    const budget = new LogBudget(2, 1000);
    expect(budget.take(0)).toEqual({});
    expect(budget.take(10)).toEqual({});
    expect(budget.take(20)).toBeUndefined();
    expect(budget.take(999)).toBeUndefined();
    expect(budget.take(1020)).toEqual({ suppressed: 2 });
    expect(budget.take(1030)).toEqual({});
  });

  it('holds any number of lines in one window to the budget', () => {
    const budget = new LogBudget(5, 10_000);
    let allowed = 0;
    for (let i = 0; i < 100_000; i++) if (budget.take(i / 100)) allowed++;
    expect(allowed).toBe(5);
  });
});
