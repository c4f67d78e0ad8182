import { describe, expect, it } from 'vitest';
import { TABLES } from '../i18n';
import {
  type OrgRef,
  type TimelineEntry,
  NO_FILTER,
  actorDetail,
  actorLabel,
  byDay,
  describeEntry,
  entryHref,
  filterEntries,
  fold,
  groupsOf,
  isEntry,
  sentenceParts,
  sortEntries,
} from './timeline-model';
import { plural, translate } from '../i18n';

const AMF = '11111111-1111-1111-1111-111111111111';
const DNE = '22222222-2222-2222-2222-222222222222';
const GROUP = '33333333-3333-3333-3333-333333333333';
const orgs = new Map<string, OrgRef>([
  [AMF, { id: AMF, acronym: 'AMF', name: 'Association des Maires de France' }],
  [DNE, { id: DNE, acronym: 'MEN-DNE' }],
]);

function entry(over: Partial<TimelineEntry>): TimelineEntry {
  return {
    id: 'e1',
    position: 1,
    time: '2024-03-04T09:15:00Z',
    type: 'opinions.opinion.created',
    context: 'opinions',
    actor: { user: 'secretariat@demo.invalid', organisation: DNE, role: 'secretariat' },
    object: { kind: 'opinion', id: 'op1' },
    summary: { title: 'Avis sur les écoles', kind: 'opinion', group: 'Gouvernance' },
    ...over,
  };
}

describe('timeline sentences', () => {
  it('say who did what, in French and in English', () => {
    const e = entry({});
    expect(describeEntry('fr', e, orgs)).toBe(
      'MEN-DNE a créé l’avis « Avis sur les écoles » dans le groupe « Gouvernance »',
    );
    expect(describeEntry('en', e, orgs)).toBe(
      'MEN-DNE created the opinion “Avis sur les écoles” in the group “Gouvernance”',
    );
  });

  it('name the person when the directory knows them, the organisation for observers, the committee for processes', () => {
    const t = (k: Parameters<typeof translate>[1]) => translate('fr', k);
    expect(actorLabel('fr', t, { user: 'm@x', name: 'Marie Curie', organisation: AMF, role: 'member' }, orgs)).toBe('Marie Curie (AMF)');
    expect(actorLabel('fr', t, { organisation: AMF, role: 'member' }, orgs)).toBe('AMF');
    expect(actorLabel('fr', t, { user: 'amf@demo.invalid', organisation: AMF, role: 'member' }, orgs)).toBe('AMF');
    expect(actorDetail({ user: 'amf@demo.invalid', organisation: AMF, role: 'member' })).toBe('amf@demo.invalid');
    expect(actorDetail({ user: 'm@x', name: 'Marie Curie', organisation: AMF })).toBe('');
    expect(actorLabel('fr', t, { user: 'lone@x', role: 'secretariat' }, orgs)).toBe('lone@x');
    expect(actorLabel('fr', t, { user: 'process:x', role: 'system' }, orgs)).toBe('Le comité (automatiquement)');
    expect(actorLabel('en', (k) => translate('en', k), { role: 'auditor' }, orgs)).toBe('Auditor');
  });

  it('format dates in the locale and translate statuses', () => {
    const opened = entry({
      type: 'consultations.consultation.opened',
      context: 'consultations',
      object: { kind: 'consultation', id: 'c1' },
      summary: { question: 'Adopte-t-on l’avis ?', deadline: '2024-03-18T17:00:00Z' },
    });
    expect(describeEntry('fr', opened, orgs)).toMatch(/a ouvert la consultation « Adopte-t-on l’avis \? », jusqu’au 18 mars 2024/);
    expect(describeEntry('en', opened, orgs)).toMatch(/until March 18, 2024/);
    const sheet = entry({
      type: 'actionsheets.sheet.created',
      summary: { title: 'Raccorder', level: 'departement', owner: 'ADF', due_date: '2025-01-31' },
    });
    expect(describeEntry('fr', sheet, orgs)).toBe(
      'MEN-DNE a créé la fiche-action « Raccorder » (département), confiée à ADF, échéance le 31 janvier 2025',
    );
    const closed = entry({ type: 'consultations.consultation.closed', actor: { role: 'system' }, summary: { question: 'Q', outcome: 'no_quorum', at_deadline: 'true' } });
    expect(describeEntry('fr', closed, orgs)).toBe('La consultation « Q » a été close à son échéance (résultat : quorum non atteint)');
    const ballot = entry({ type: 'consultations.consultation.ballot_cast', actor: { organisation: AMF, role: 'member' }, summary: { question: 'Q', acronym: 'AMF', via_proxy: 'true' } });
    expect(describeEntry('en', ballot, orgs)).toBe('AMF voted for AMF on “Q” (by proxy)');
  });

  it('link the object’s name, or the whole sentence when it does not name it', () => {
    expect(sentenceParts('fr', entry({}), orgs)).toEqual([
      { text: 'MEN-DNE a créé l’avis « ' },
      { text: 'Avis sur les écoles', href: '#/opinions/op1' },
      { text: ' » dans le groupe « Gouvernance »' },
    ]);
    const ballot = entry({
      type: 'consultations.consultation.ballot_cast',
      object: { kind: 'consultation', id: 'c1' },
      summary: { question: 'Q ?', acronym: 'AMF', via_proxy: 'true' },
    });
    expect(sentenceParts('en', ballot, orgs).map((p) => [p.text, p.href])).toEqual([
      ['MEN-DNE voted for AMF on “', undefined],
      ['Q ?', '#/consultations/c1'],
      ['” (by proxy)', undefined],
    ]);
    const adopted = entry({ type: 'opinions.opinion.adopted', actor: { role: 'system' }, summary: { title: 'Avis' } });
    expect(sentenceParts('fr', adopted, orgs)[0]).toEqual({ text: 'Le vote a adopté « ' });
    const org = entry({ type: 'membership.organisation.removed', object: { kind: 'committee', id: 'x' }, summary: { acronym: 'AMF' } });
    expect(sentenceParts('fr', org, orgs)).toEqual([{ text: 'MEN-DNE a retiré AMF du comité', href: '#/organisations' }]);
  });

  it('count folded text changes and never show a raw placeholder', () => {
    const many = entry({ type: 'opinions.draft.changed', count: 4, summary: { title: 'Avis' } });
    expect(describeEntry('fr', many, orgs)).toMatch(/a modifié le texte de « Avis » \(4 modifications\)$/);
    expect(describeEntry('fr', { ...many, count: 1 }, orgs)).toMatch(/a modifié le texte de « Avis »$/);
    const bare = entry({ type: 'opinions.amendment.proposed', summary: undefined });
    expect(describeEntry('fr', bare, orgs)).toMatch(/« \(sans titre\) »/);
    const unknown = entry({ type: 'future.thing.happened' });
    expect(describeEntry('en', unknown, orgs)).toBe('MEN-DNE: future.thing.happened');
  });

  it('have a sentence for every event type of every context, in both languages', () => {
    const types = Object.keys(TABLES.fr).filter((k) => k.startsWith('timeline.event.'));
    expect(types.length).toBeGreaterThan(35);
    for (const k of types) expect(TABLES.en[k as keyof typeof TABLES.en], k).toBeTruthy();
  });
});

describe('timeline lists', () => {
  it('sort newest first and link to the object', () => {
    const rows = [entry({ id: 'a', position: 3 }), entry({ id: 'b', position: 9 }), entry({ id: 'c', position: 5 })];
    expect(sortEntries(rows).map((r) => r.id)).toEqual(['b', 'c', 'a']);
    expect(entryHref(entry({}))).toBe('#/opinions/op1');
    expect(entryHref(entry({ object: { kind: 'sheet', id: 's' } }))).toBe('#/sheets');
    expect(entryHref(entry({ object: { kind: 'group', id: 'g' } }))).toBe('#/groups/g');
    expect(entryHref(entry({ object: { kind: 'consultation', id: 'c' } }))).toBe('#/consultations/c');
    expect(entryHref(entry({ object: { kind: 'organisation', id: 'o' } }))).toBe('#/organisations');
    expect(entryHref(entry({ object: { kind: 'spaceship', id: 'x' } }))).toBeUndefined();
    expect(isEntry({ id: 'x', type: 't', position: 1 })).toBe(true);
    expect(isEntry({ id: 'x', removed: true })).toBe(false);
  });

  it('filter by context, group, organisation and words, ignoring case and accents', () => {
    const rows = [
      entry({ id: 'op', group_id: GROUP }),
      entry({ id: 'ballot', type: 'consultations.consultation.ballot_cast', context: 'consultations', actor: { organisation: AMF, role: 'member' }, organisations: [AMF], summary: { question: 'Équiper les écoles ?', acronym: 'AMF' } }),
      entry({ id: 'sheet', type: 'actionsheets.sheet.started', context: 'actionsheets', summary: { title: 'Fiche' }, organisations: [DNE] }),
    ];
    const sentence = (e: TimelineEntry) => describeEntry('fr', e, orgs);
    const ids = (f: Partial<typeof NO_FILTER>) => filterEntries(rows, { ...NO_FILTER, ...f }, sentence).map((e) => e.id);
    expect(ids({})).toEqual(['op', 'ballot', 'sheet']);
    expect(ids({ context: 'consultations' })).toEqual(['ballot']);
    expect(ids({ group: GROUP })).toEqual(['op']);
    expect(ids({ organisation: AMF })).toEqual(['ballot']);
    expect(ids({ organisation: DNE })).toEqual(['op', 'sheet']);
    expect(ids({ text: 'equiper ECOLES' })).toEqual(['ballot']);
    expect(ids({ text: 'a voté' })).toEqual(['ballot']);
    expect(ids({ text: 'nothing like this' })).toEqual([]);
    expect(fold('Élise À')).toBe('elise a');
  });

  it('group by day and name groups', () => {
    const rows = sortEntries([
      entry({ id: 'a', position: 1, time: '2024-03-04T09:00:00' }),
      entry({ id: 'b', position: 2, time: '2024-03-04T18:00:00', group_id: GROUP, object: { kind: 'group', id: GROUP }, summary: { group: 'Gouvernance' } }),
      entry({ id: 'c', position: 3, time: '2024-03-06T09:00:00', group_id: 'other', summary: { group: 'Usages' } }),
    ]);
    expect(byDay(rows).map((d) => [d.day, d.entries.map((e) => e.id)])).toEqual([
      ['2024-03-06', ['c']],
      ['2024-03-04', ['b', 'a']],
    ]);
    expect([...groupsOf(rows)]).toEqual([
      [GROUP, 'Gouvernance'],
      ['other', 'Usages'],
    ]);
    expect(plural('fr', 'timeline.count', 1)).toBe('1 entrée');
    expect(plural('fr', 'timeline.count', 0)).toBe('0 entrée');
    expect(plural('en', 'timeline.count', 12)).toBe('12 entries');
  });
});
