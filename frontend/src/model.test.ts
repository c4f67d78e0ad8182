import { describe, expect, it } from 'vitest';
import type { Organisation } from './api';
import { safeWebsite, sortOrganisations, websiteLabel } from './model';

const org = (id: string, acronym: string, kind: string, name = acronym): Organisation => ({ id, acronym, kind, name });

describe('sortOrganisations', () => {
  it('groups by kind, then orders acronyms the French way', () => {
    const sorted = sortOrganisations(
      [
        org('1', 'MENJ', 'ministry'),
        org('2', 'CDC', 'public_operator'),
        org('3', 'AMRF', 'elected_officials_association'),
        org('4', 'ADF', 'elected_officials_association'),
        org('5', 'Zeta', 'unknown_kind'),
        org('6', 'Éduc', 'other'),
        org('7', 'amf', 'elected_officials_association'),
      ],
      'fr',
    );
    expect(sorted.map((o) => o.acronym)).toEqual(['ADF', 'amf', 'AMRF', 'CDC', 'MENJ', 'Éduc', 'Zeta']);
  });

  it('does not change its input', () => {
    const input = [org('b', 'B', 'other'), org('a', 'A', 'other')];
    sortOrganisations(input, 'fr');
    expect(input.map((o) => o.id)).toEqual(['b', 'a']);
  });
});

describe('websites', () => {
  it('accepts only http and https links', () => {
    expect(safeWebsite('https://www.amf.asso.fr/')?.href).toBe('https://www.amf.asso.fr/');
    expect(safeWebsite('javascript:alert(1)')).toBeUndefined();
    expect(safeWebsite('not a url')).toBeUndefined();
    expect(safeWebsite('')).toBeUndefined();
    expect(safeWebsite(undefined)).toBeUndefined();
  });

  it('labels a website by its host and path', () => {
    expect(websiteLabel(new URL('https://www.amf.asso.fr/'))).toBe('amf.asso.fr');
    expect(websiteLabel(new URL('https://www.education.gouv.fr/numerique/'))).toBe('education.gouv.fr/numerique');
  });
});
