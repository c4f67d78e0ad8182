import { describe, expect, it } from 'vitest';
import {
  type OpinionDetail,
  type OpinionRow,
  allowedActions,
  anyAllowed,
  lifecycleAllowed,
  filterOpinions,
  groupOptions,
  groupedHash,
  isDrafter,
  paragraphs,
  passageInText,
  pendingAmendments,
  selectedIn,
  statusCounts,
} from './opinions-model';

const row = (id: string, over: Partial<OpinionRow> = {}): OpinionRow => ({
  id,
  kind: 'opinion',
  title: `Texte ${id}`,
  group_id: 'g1',
  group_name: 'Gouvernance',
  status: 'draft',
  text_length: 0,
  version: 0,
  pending_amendments: 0,
  created_at: '2024-03-01T09:00:00Z',
  updated_at: '2024-03-01T09:00:00Z',
  revision: 0,
  position: 1,
  ...over,
});

const detail = (over: Partial<OpinionDetail> = {}): OpinionDetail => ({
  ...row('o1'),
  text: '',
  group_members: ['amf', 'dne'],
  history: [],
  amendments: [],
  frozen_versions: [],
  consultations: [],
  action_sheets: [],
  ...over,
});

const amf = { role: 'member', organisation_id: 'amf' };
const cdc = { role: 'member', organisation_id: 'cdc' };
const secretariat = { role: 'secretariat', organisation_id: 'dne' };
const auditor = { role: 'auditor', organisation_id: null };
const observer = { role: 'observer' };

describe('filterOpinions', () => {
  const rows = [
    row('a', { status: 'draft', updated_at: '2024-03-01T09:00:00Z', title: 'Zèbre' }),
    row('b', { status: 'voting', group_id: 'g2', group_name: 'Infrastructures', updated_at: '2024-03-03T09:00:00Z' }),
    row('c', { status: 'draft', updated_at: '2024-03-01T09:00:00Z', title: 'Abeille' }),
  ];
  it('keeps every row without filters, the latest updated first, then by title', () => {
    expect(filterOpinions(rows, { status: '', group: '' }, 'fr').map((r) => r.id)).toEqual(['b', 'c', 'a']);
  });
  it('filters by status and by group, together', () => {
    expect(filterOpinions(rows, { status: 'draft', group: '' }, 'fr').map((r) => r.id)).toEqual(['c', 'a']);
    expect(filterOpinions(rows, { status: '', group: 'g2' }, 'fr').map((r) => r.id)).toEqual(['b']);
    expect(filterOpinions(rows, { status: 'draft', group: 'g2' }, 'fr')).toEqual([]);
  });
  it('does not reorder its input', () => {
    filterOpinions(rows, { status: '', group: '' }, 'fr');
    expect(rows.map((r) => r.id)).toEqual(['a', 'b', 'c']);
  });
  it('lists each group once, by name, falling back to the ID', () => {
    expect(groupOptions([...rows, row('d', { group_id: 'g3', group_name: '' })], 'fr')).toEqual([
      { id: 'g3', name: 'g3' },
      { id: 'g1', name: 'Gouvernance' },
      { id: 'g2', name: 'Infrastructures' },
    ]);
  });
  it('counts rows per status, every status present', () => {
    const c = statusCounts(rows);
    expect(c.draft).toBe(2);
    expect(c.voting).toBe(1);
    expect(c.published).toBe(0);
  });
});

describe('allowedActions', () => {
  it('lets the drafting group edit and submit a draft, and nobody else', () => {
    const o = detail({ status: 'draft' });
    expect(allowedActions(amf, o)).toMatchObject({ editText: true, submit: true, withdraw: true, propose: false, publish: false });
    expect(allowedActions(secretariat, o)).toMatchObject({ editText: true, submit: true });
    expect(anyAllowed(allowedActions(cdc, o))).toBe(false);
    expect(lifecycleAllowed(allowedActions(cdc, detail({ status: 'in_review' })))).toBe(false);
    expect(lifecycleAllowed(allowedActions(amf, detail({ status: 'in_review' })))).toBe(true);
    expect(anyAllowed(allowedActions(auditor, o))).toBe(false);
    expect(anyAllowed(allowedActions(observer, o))).toBe(false);
  });
  it('lets any organisation propose in review, and the group decide and open the vote', () => {
    const o = detail({ status: 'in_review' });
    expect(allowedActions(cdc, o)).toMatchObject({ propose: true, decideAmendments: false, openVote: false, editText: false });
    expect(allowedActions(amf, o)).toMatchObject({ propose: true, decideAmendments: true, openVote: true, withdraw: true });
    expect(allowedActions({ role: 'secretariat' }, o).propose).toBe(false);
  });
  it('leaves publishing to the secretariat once decided', () => {
    expect(allowedActions(secretariat, detail({ status: 'adopted' })).publish).toBe(true);
    expect(allowedActions(secretariat, detail({ status: 'rejected' })).publish).toBe(true);
    expect(allowedActions(amf, detail({ status: 'adopted' })).publish).toBe(false);
    expect(allowedActions(secretariat, detail({ status: 'voting' })).publish).toBe(false);
    expect(anyAllowed(allowedActions(secretariat, detail({ status: 'published' })))).toBe(false);
  });
  it('closes editing in a closed group or on a text that does not replay', () => {
    expect(allowedActions(amf, detail({ group_closed: true })).editText).toBe(false);
    expect(allowedActions(amf, detail({ text_error: true })).editText).toBe(false);
    expect(isDrafter(amf, detail())).toBe(true);
    expect(isDrafter({ role: 'auditor', organisation_id: 'amf' }, detail())).toBe(false);
  });
});

describe('amendments', () => {
  const a = (state: string, offset: number, passage: string) => ({
    id: `${state}${offset}`,
    state,
    passage,
    replacement: 'x',
    offset,
    version: 1,
    proposed_by: {},
    proposed_at: '2024-03-01T09:00:00Z',
  });
  it('keeps the context to the passage’s lines', () => {
    const text = 'Premier paragraphe.\n\nLe comité propose une plateforme.\nSuite.';
    const offset = text.indexOf('plateforme');
    expect(passageInText(text, { offset, passage: 'plateforme' }, 100)).toEqual({
      before: 'Le comité propose une ',
      passage: 'plateforme',
      after: '.',
    });
    expect(passageInText(text, { offset, passage: 'plateforme' }, 5)).toEqual({ before: '… une ', passage: 'plateforme', after: '.' });
  });
  it('finds the pending ones', () => {
    expect(pendingAmendments({ amendments: [a('proposed', 0, 'a'), a('accepted', 1, 'b')] }).map((x) => x.state)).toEqual([
      'proposed',
    ]);
  });
  it('shows a passage in its context, counting UTF-16 units like the server', () => {
    const text = 'Le 🇫🇷 comité recommande une démarche concertée.';
    const offset = text.indexOf('recommande');
    expect(passageInText(text, { offset, passage: 'recommande' }, 12)).toEqual({
      before: '…🇫🇷 comité ',
      passage: 'recommande',
      after: ' une démarch…',
    });
    // 9 units back fall inside the flag's second letter: the cut moves past it.
    expect(passageInText(text, { offset, passage: 'recommande' }, 9)?.before).toBe('… comité ');
    expect(passageInText(text, { offset: 0, passage: 'Le' }, 100)).toEqual({ before: '', passage: 'Le', after: text.slice(2) });
    expect(passageInText(text, { offset: offset + 1, passage: 'recommande' })).toBeUndefined();
    expect(passageInText(text, { offset: text.length, passage: 'x' })).toBeUndefined();
  });
});

describe('presentation', () => {
  it('splits a text into paragraphs on blank lines', () => {
    expect(paragraphs('Un.\n\nDeux,\nsuite.\n\n\n  \nTrois.\n')).toEqual(['Un.', 'Deux,\nsuite.', 'Trois.']);
    expect(paragraphs('')).toEqual([]);
  });
  it('groups a hash by eight', () => {
    expect(groupedHash('0123456789abcdef0123')).toBe('01234567 89abcdef 0123');
  });
  it('takes a selection only inside the text', () => {
    const inside = { id: 'in' } as unknown as Node;
    const container = { contains: (n: Node) => n === inside } as unknown as Node;
    const sel = (start: Node, end: Node) => ({
      rangeCount: 1,
      toString: () => 'passage',
      getRangeAt: () => ({ startContainer: start, endContainer: end }) as unknown as Range,
    });
    const outside = { id: 'out' } as unknown as Node;
    expect(selectedIn(container, sel(inside, inside))).toBe('passage');
    expect(selectedIn(container, sel(inside, outside))).toBe('');
    expect(selectedIn(container, null)).toBe('');
    expect(selectedIn(null, sel(inside, inside))).toBe('');
  });
});
