import { RejectionBudget } from './rejection-budget';

describe('RejectionBudget', () => {
  it('lets a burst through, then refills at its rate, per source', () => {
    const b = new RejectionBudget(3, 1);
    const t0 = 1_000_000;
    expect([b.take('grafana', t0), b.take('grafana', t0), b.take('grafana', t0), b.take('grafana', t0)]).toEqual([true, true, true, false]);
    expect(b.take('datadog', t0)).toBe(true);
    expect(b.take('grafana', t0 + 500)).toBe(false);
    expect(b.take('grafana', t0 + 1600)).toBe(true);
  });

  it('reports what it dropped at most every 10 s', () => {
    const b = new RejectionBudget(1, 0);
    b.take('pagerduty', 0);
    b.take('pagerduty', 0);
    b.take('pagerduty', 0);
    expect(b.dueWarning('pagerduty', 20_000)).toBe(2);
    b.take('pagerduty', 21_000);
    expect(b.dueWarning('pagerduty', 25_000)).toBe(0);
    expect(b.dueWarning('pagerduty', 30_001)).toBe(1);
  });
});
