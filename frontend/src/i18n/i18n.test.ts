import { describe, expect, it } from 'vitest';
import { TABLES, kindKey, loadLang, plural, ruleKey, saveLang, translate } from './index';

const { fr, en } = TABLES;

describe('message tables', () => {
  it('have the same keys in French and English', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(fr).sort());
  });

  it('have no empty message', () => {
    for (const table of [fr, en]) {
      for (const [key, text] of Object.entries(table)) {
        expect(text.trim(), key).not.toBe('');
      }
    }
  });

  it('use the same placeholders in both languages', () => {
    const holes = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    for (const key of Object.keys(fr) as (keyof typeof fr)[]) {
      expect(holes(en[key]), key).toEqual(holes(fr[key]));
    }
  });

  it('name every organisation kind of the API', () => {
    for (const kind of ['elected_officials_association', 'public_operator', 'ministry', 'other']) {
      expect(kindKey(kind), kind).toBeDefined();
    }
    expect(kindKey('spaceship')).toBeUndefined();
  });
});

describe('translate', () => {
  it('fills placeholders and formats numbers per language', () => {
    expect(translate('fr', 'footer.position', { position: 12345 })).toBe('Position du journal : 12\u202f345');
    expect(translate('en', 'footer.position', { position: 12345 })).toBe('Log position: 12,345');
    expect(translate('fr', 'form.success', { name: 'AMF' })).toBe('« AMF » a été ajoutée au comité.');
  });

  it('uses French plural rules', () => {
    expect(plural('fr', 'orgs.count', 0)).toBe('0 organisation');
    expect(plural('fr', 'orgs.count', 1)).toBe('1 organisation');
    expect(plural('fr', 'orgs.count', 11)).toBe('11 organisations');
    expect(plural('en', 'orgs.count', 0)).toBe('0 organisations');
    expect(plural('en', 'orgs.count', 1)).toBe('1 organisation');
  });

  it('explains validation rules with or without parameters', () => {
    expect(ruleKey('required')).toBe('rule.required');
    expect(ruleKey('max=200')).toBe('rule.max');
    expect(ruleKey('oneof=elected_officials_association public_operator ministry other')).toBe('rule.oneof');
    expect(ruleKey('http_url')).toBe('rule.url');
    expect(ruleKey('whatever')).toBeUndefined();
  });
});

describe('language choice', () => {
  it('defaults to French and remembers the choice', () => {
    const store = new Map<string, string>();
    const storage = {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => void store.set(k, v),
    };
    expect(loadLang(storage)).toBe('fr');
    saveLang(storage, 'en');
    expect(loadLang(storage)).toBe('en');
    store.set('comite.lang', 'de');
    expect(loadLang(storage)).toBe('fr');
  });

  it('copes without storage', () => {
    expect(loadLang(undefined)).toBe('fr');
    const broken = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
    };
    expect(loadLang(broken)).toBe('fr');
    expect(() => saveLang(broken, 'en')).not.toThrow();
  });
});
