import { describe, expect, it } from 'vitest';
import { codeLabel, plural, translate } from '../i18n';
import { formatCivil, formatPercent, ruleText } from './sheets-ui';

const fr = (k: Parameters<typeof translate>[1], p?: Record<string, string | number>) => translate('fr', k, p);
const en = (k: Parameters<typeof translate>[1], p?: Record<string, string | number>) => translate('en', k, p);

describe('sheets page words', () => {
  it('explain the rules the server and the CSV import name', () => {
    expect(ruleText(fr, 'required')).toBe('Ce champ est obligatoire.');
    expect(ruleText(fr, 'notblank')).toBe('Ce champ est obligatoire.');
    expect(ruleText(fr, 'max=300')).toBe('Ce texte est trop long.');
    expect(ruleText(fr, 'oneof=commune intercommunalite')).toBe('Cette valeur n’est pas autorisée.');
    expect(ruleText(fr, 'datetime=2006-01-02')).toBe(ruleText(fr, 'date'));
    expect(ruleText(fr, 'date_in_past')).toBe('Cette date est déjà passée.');
    expect(ruleText(fr, 'future')).toBe('Cette date est déjà passée.');
    expect(ruleText(en, 'organisation_not_found')).toBe('This organisation is not a member of the committee.');
    expect(ruleText(en, 'syntax')).toMatch(/Unreadable line/);
    expect(ruleText(fr, 'martian')).toBe('Règle non respectée : martian.');
  });

  it('label codes, falling back to the code', () => {
    expect(codeLabel(fr, 'sheets.level', 'etat')).toBe('État');
    expect(codeLabel(en, 'sheets.level', 'etat')).toBe('State');
    expect(codeLabel(fr, 'sheets.status', 'in_progress')).toBe('En cours');
    expect(codeLabel(fr, 'sheets.level', 'canton')).toBe('canton');
  });

  it('count with each language’s plural rules', () => {
    expect(plural('fr', 'sheets.count', 0)).toBe('0 fiche-action');
    expect(plural('fr', 'sheets.count', 3)).toBe('3 fiches-actions');
    expect(plural('en', 'sheets.count', 1)).toBe('1 action sheet');
    expect(plural('en', 'sheets.shown', 2, { total: 5 })).toBe('2 action sheets shown of 5');
  });

  it('write civil dates and percentages in the reader’s language, whatever the time zone', () => {
    expect(formatCivil('fr', '2026-03-01')).toBe('1 mars 2026');
    expect(formatCivil('en', '2026-03-01')).toBe('March 1, 2026');
    expect(formatCivil('fr', 'bientôt')).toBe('bientôt');
    expect(formatPercent('fr', 25)).toMatch(/^25\s%$/);
    expect(formatPercent('en', 25)).toBe('25%');
  });
});
