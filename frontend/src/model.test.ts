import { describe, expect, it } from 'vitest';
import type { Organisation } from './api';
import { personaLabel, roleLabel, safeWebsite, sortOrganisations, waitText, websiteLabel } from './model';

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

describe('sign-in helpers', () => {
  it('names each demo persona for its button', () => {
    const p = (role: string, organisation?: string) => ({ email: `${role}@demo.invalid`, name: `Nom ${role}`, role, organisation });
    expect(personaLabel('fr', p('secretariat', 'MEN-DNE'))).toBe('Secrétariat (MEN-DNE)');
    expect(personaLabel('fr', p('secretariat'))).toBe('Secrétariat');
    expect(personaLabel('fr', p('member', 'AMF'))).toBe('AMF (membre)');
    expect(personaLabel('en', p('member', 'AMF'))).toBe('AMF (member)');
    expect(personaLabel('fr', p('auditor'))).toBe('Auditeur');
    expect(personaLabel('en', p('observer'))).toBe('Observer');
    expect(personaLabel('fr', p('wizard'))).toBe('Nom wizard');
  });

  it('says how long to wait in seconds or whole minutes', () => {
    expect(waitText('fr', 1)).toBe('1 seconde');
    expect(waitText('fr', 0)).toBe('1 seconde');
    expect(waitText('fr', 45)).toBe('45 secondes');
    expect(waitText('fr', 60)).toBe('1 minute');
    expect(waitText('en', 61)).toBe('2 minutes');
    expect(waitText('en', 900)).toBe('15 minutes');
  });

  it('names roles, and keeps a role this build does not know', () => {
    expect(roleLabel('fr', 'member')).toBe('Membre');
    expect(roleLabel('en', 'auditor')).toBe('Auditor');
    expect(roleLabel('fr', 'system')).toBe('system');
  });
});
