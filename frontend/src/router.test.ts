import { describe, expect, it } from 'vitest';
import { href, parseRoute } from './router';

describe('routes', () => {
  it('parses pages and IDs, and falls back to the dashboard', () => {
    expect(parseRoute('')).toEqual({ page: 'dashboard' });
    expect(parseRoute('#/')).toEqual({ page: 'dashboard' });
    expect(parseRoute('#/nowhere/1')).toEqual({ page: 'dashboard' });
    expect(parseRoute('#/opinions')).toEqual({ page: 'opinions' });
    expect(parseRoute('#/opinions/a%2Fb')).toEqual({ page: 'opinions', id: 'a/b' });
    expect(parseRoute('#/opinions/o1/report')).toEqual({ page: 'opinions', id: 'o1', sub: 'report' });
    expect(parseRoute('#/opinions/o1/report/more')).toEqual({ page: 'opinions', id: 'o1', sub: 'report' });
  });
  it('round-trips through href', () => {
    for (const r of [{ page: 'groups' as const, id: 'x y' }, { page: 'timeline' as const }, { page: 'dashboard' as const }]) {
      expect(parseRoute(href(r.page, r.id))).toEqual(r);
    }
    expect(parseRoute(href('opinions', 'o 1', 'report'))).toEqual({ page: 'opinions', id: 'o 1', sub: 'report' });
    expect(href('opinions', undefined, 'report')).toBe('#/opinions');
  });
});
