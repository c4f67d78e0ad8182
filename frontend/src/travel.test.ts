import { describe, expect, it } from 'vitest';
import { pastIndex } from './travel';

describe('pastIndex', () => {
  it('is the present without an index, at the last step or past it', () => {
    expect(pastIndex(3, null)).toBeUndefined();
    expect(pastIndex(3, 2)).toBeUndefined();
    expect(pastIndex(3, 7)).toBeUndefined();
    expect(pastIndex(3, -1)).toBeUndefined();
  });
  it('is an earlier index itself', () => {
    expect(pastIndex(3, 0)).toBe(0);
    expect(pastIndex(3, 1)).toBe(1);
  });
});
