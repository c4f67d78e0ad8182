import { describe, expect, it } from 'vitest';
import {
  NO_FILTERS,
  type SheetRow,
  actionsFor,
  boardRevision,
  civilDate,
  filterSheets,
  filtering,
  groupByLevel,
  importProblems,
  isOverdue,
  localToday,
  mayAct,
  mayCreate,
  mayImport,
  msUntilTomorrow,
  ruleName,
} from './sheets-model';

const AMF = 'org-amf';
const ARF = 'org-arf';

function sheet(over: Partial<SheetRow> & { id: string }): SheetRow {
  return {
    committee_id: 'c',
    title: over.id,
    level: 'commune',
    theme: 'infrastructures',
    organisation_id: AMF,
    status: 'planned',
    due_date: '2026-06-01',
    created_at: '2026-03-01T09:00:00Z',
    percent: 0,
    progress: [],
    reschedules: [],
    revision: 0,
    updated_at: '2026-03-01T09:00:00Z',
    position: 1,
    ...over,
  };
}

describe('overdue', () => {
  it('is an open sheet due before today', () => {
    const today = '2026-03-05';
    expect(isOverdue({ status: 'planned', due_date: '2026-03-04' }, today)).toBe(true);
    expect(isOverdue({ status: 'in_progress', due_date: '2025-12-31' }, today)).toBe(true);
    // Due today is not late yet.
    expect(isOverdue({ status: 'planned', due_date: '2026-03-05' }, today)).toBe(false);
    expect(isOverdue({ status: 'in_progress', due_date: '2026-03-06' }, today)).toBe(false);
    // Closed sheets are never overdue.
    expect(isOverdue({ status: 'done', due_date: '2020-01-01' }, today)).toBe(false);
    expect(isOverdue({ status: 'abandoned', due_date: '2020-01-01' }, today)).toBe(false);
    // A malformed date is not judged.
    expect(isOverdue({ status: 'planned', due_date: '' }, today)).toBe(false);
  });

  it('uses the reader’s own date and knows when it changes', () => {
    expect(localToday(new Date(2026, 0, 9, 23, 59))).toBe('2026-01-09');
    expect(localToday(new Date(2026, 11, 31, 0, 0))).toBe('2026-12-31');
    expect(msUntilTomorrow(new Date(2026, 0, 9, 23, 0))).toBe(3600_000);
    expect(msUntilTomorrow(new Date(2026, 0, 9, 23, 59, 59, 999))).toBe(1000);
  });
});

describe('filters', () => {
  const rows = [
    sheet({ id: 'a', level: 'commune', theme: 'infrastructures', status: 'in_progress', due_date: '2026-01-01' }),
    sheet({ id: 'b', level: 'region', theme: 'gouvernance', organisation_id: ARF, due_date: '2027-01-01' }),
    sheet({ id: 'c', level: 'commune', theme: 'gouvernance', status: 'done', due_date: '2025-01-01' }),
  ];
  const today = '2026-03-05';
  const ids = (f: Partial<typeof NO_FILTERS>) => filterSheets(rows, { ...NO_FILTERS, ...f }, today).map((s) => s.id);

  it('keeps everything without filters', () => {
    expect(ids({})).toEqual(['a', 'b', 'c']);
    expect(filtering(NO_FILTERS)).toBe(false);
  });

  it('filters by level, theme, status, owner and overdue, combined', () => {
    expect(ids({ level: 'commune' })).toEqual(['a', 'c']);
    expect(ids({ theme: 'gouvernance' })).toEqual(['b', 'c']);
    expect(ids({ status: 'done' })).toEqual(['c']);
    expect(ids({ owner: ARF })).toEqual(['b']);
    expect(ids({ overdueOnly: true })).toEqual(['a']);
    expect(ids({ level: 'commune', theme: 'gouvernance' })).toEqual(['c']);
    expect(ids({ level: 'etat' })).toEqual([]);
    expect(filtering({ ...NO_FILTERS, overdueOnly: true })).toBe(true);
  });
});

describe('grouping by level', () => {
  it('orders levels from the commune to the State and sheets by due date then title', () => {
    const rows = [
      sheet({ id: 'e', level: 'etat', due_date: '2026-01-01' }),
      sheet({ id: 'x', level: 'mystery' }),
      sheet({ id: 'c2', level: 'commune', due_date: '2026-05-01', title: 'Écoles' }),
      sheet({ id: 'c1', level: 'commune', due_date: '2026-05-01', title: 'Antennes' }),
      sheet({ id: 'c0', level: 'commune', due_date: '2026-04-01', title: 'Zèbre' }),
      sheet({ id: 'r', level: 'region' }),
    ];
    const groups = groupByLevel(rows, 'fr');
    expect(groups.map((g) => g.level)).toEqual(['commune', 'region', 'etat', 'mystery']);
    expect(groups[0]!.sheets.map((s) => s.id)).toEqual(['c0', 'c1', 'c2']);
  });
});

describe('board revision', () => {
  it('is the largest revision over the sheets', () => {
    expect(boardRevision([])).toBe(-1);
    expect(boardRevision([{ revision: 3 }, { revision: 9 }, { revision: 0 }])).toBe(9);
  });
});

describe('permissions', () => {
  const s = { organisation_id: AMF };
  it('let the secretariat do everything', () => {
    const a = { role: 'secretariat', organisation_id: 'dne' };
    expect([mayCreate(a), mayImport(a), mayAct(a, s)]).toEqual([true, true, true]);
  });
  it('let a member act on its organisation’s sheets only, and never import', () => {
    const a = { role: 'member', organisation_id: AMF };
    expect([mayCreate(a), mayImport(a), mayAct(a, s), mayAct(a, { organisation_id: ARF })]).toEqual([true, false, true, false]);
    expect(mayCreate({ role: 'member', organisation_id: null })).toBe(false);
  });
  it('let auditors and observers only read', () => {
    for (const role of ['auditor', 'observer']) {
      const a = { role, organisation_id: AMF };
      expect([mayCreate(a), mayImport(a), mayAct(a, s)]).toEqual([false, false, false]);
    }
  });
  it('offer the actions of each status', () => {
    expect(actionsFor({ status: 'planned' })).toEqual(['start']);
    expect(actionsFor({ status: 'in_progress' })).toEqual(['progress', 'complete']);
    expect(actionsFor({ status: 'done' })).toEqual([]);
    expect(actionsFor({ status: 'abandoned' })).toEqual([]);
  });
});

describe('import problems', () => {
  it('reads csv_invalid fields into problems sorted by line and column', () => {
    expect(
      importProblems({
        'ligne 12: titre': 'unique',
        'ligne 3: echeance': 'date_in_past',
        'ligne 3: niveau': 'oneof',
        'ligne 7': 'syntax',
        'ligne 1: colonne bizarre': 'unknown',
      }),
    ).toEqual([
      { line: 1, column: 'colonne bizarre', rule: 'unknown' },
      { line: 3, column: 'echeance', rule: 'date_in_past' },
      { line: 3, column: 'niveau', rule: 'oneof' },
      { line: 7, rule: 'syntax' },
      { line: 12, column: 'titre', rule: 'unique' },
    ]);
    expect(importProblems(undefined)).toEqual([]);
    expect(importProblems({ csv: 'required' })).toEqual([{ line: 0, column: 'csv', rule: 'required' }]);
  });

  it('names rules without their parameters', () => {
    expect(ruleName('max=300')).toBe('max');
    expect(ruleName('required')).toBe('required');
  });
});

describe('civil dates', () => {
  it('read YYYY-MM-DD at UTC midnight, and nothing else', () => {
    expect(civilDate('2026-03-05')?.toISOString()).toBe('2026-03-05T00:00:00.000Z');
    expect(civilDate('05/03/2026')).toBeUndefined();
    expect(civilDate(undefined)).toBeUndefined();
  });
});
