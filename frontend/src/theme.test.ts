import { describe, expect, it } from 'vitest';
import { loadTheme } from './theme';

describe('loadTheme', () => {
  const store = (v: string | null) => ({ getItem: () => v });
  it('prefers the saved choice, else the system', () => {
    expect(loadTheme(store('dark'), false)).toBe('dark');
    expect(loadTheme(store('light'), true)).toBe('light');
    expect(loadTheme(store(null), true)).toBe('dark');
    expect(loadTheme(store('purple'), false)).toBe('light');
    expect(loadTheme({ getItem: () => { throw new Error('denied'); } }, true)).toBe('dark');
  });
});
