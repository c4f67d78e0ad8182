import { describe, expect, it } from 'vitest';
import {
  type ConsultationRow,
  type GroupRow,
  type OpinionRow,
  type SheetRow,
  amendmentsToReview,
  civilToday,
  daysLate,
  groupsOf,
  meetingsComing,
  overdueSheets,
  sectionsFor,
  votesToCast,
} from './dashboard-model';

const NOW = Date.parse('2024-03-04T10:00:00Z');
const AMF = 'amf';
const CDC = 'cdc';

describe('votes to cast', () => {
  const rows: ConsultationRow[] = [
    { id: 'late', status: 'open', deadline: '2024-03-20T17:00:00Z', electorate: [{ organisation_id: AMF }] },
    { id: 'soon', status: 'open', deadline: '2024-03-05T17:00:00Z', electorate: [{ organisation_id: AMF }, { organisation_id: CDC }] },
    { id: 'voted', status: 'open', deadline: '2024-03-20T17:00:00Z', electorate: [{ organisation_id: AMF }], participants: [{ organisation_id: AMF }] },
    { id: 'closed', status: 'closed', deadline: '2024-03-20T17:00:00Z', electorate: [{ organisation_id: AMF }] },
    { id: 'past', status: 'open', deadline: '2024-03-01T17:00:00Z', electorate: [{ organisation_id: AMF }] },
    { id: 'others', status: 'open', deadline: '2024-03-20T17:00:00Z', electorate: [{ organisation_id: CDC }] },
    { id: 'bare' },
  ];
  it('are the open consultations my organisation may still vote in, soonest first', () => {
    expect(votesToCast(rows, AMF, NOW).map((c) => c.id)).toEqual(['soon', 'late']);
    expect(votesToCast(rows, CDC, NOW).map((c) => c.id)).toEqual(['soon', 'others']);
    expect(votesToCast(rows, null, NOW)).toEqual([]);
  });
});

describe('groups, amendments and meetings', () => {
  const groups: GroupRow[] = [
    {
      id: 'gov',
      name: 'Gouvernance',
      status: 'open',
      lead_organisation_id: AMF,
      members: [{ organisation_id: AMF }, { organisation_id: CDC }],
      meetings: [
        { id: 'm-past', title: 'Passée', starts_at: '2024-02-01T09:00:00Z' },
        { id: 'm2', title: 'Plénière', starts_at: '2024-04-01T09:00:00Z' },
      ],
    },
    { id: 'infra', name: 'Infrastructures', members: [{ organisation_id: CDC }], meetings: [{ id: 'm1', title: 'Journée', starts_at: '2024-03-10T09:00:00Z' }] },
    { id: 'closed', name: 'Fermé', status: 'closed', members: [{ organisation_id: AMF }], meetings: [{ id: 'mx', starts_at: '2024-03-08T09:00:00Z' }] },
    { id: 'weird', meetings: [{ starts_at: 'not a date' }] } as GroupRow,
  ];
  it('find my groups and their amendments to review', () => {
    const mine = groupsOf(groups, AMF);
    expect([...mine]).toEqual(['gov', 'closed']);
    const opinions: OpinionRow[] = [
      { id: 'a', title: 'A', group_id: 'gov', pending_amendments: 1 },
      { id: 'b', title: 'B', group_id: 'gov', pending_amendments: 3 },
      { id: 'c', title: 'C', group_id: 'infra', pending_amendments: 2 },
      { id: 'd', title: 'D', group_id: 'gov', pending_amendments: 0 },
      { id: 'e', title: 'E' },
    ];
    expect(amendmentsToReview(opinions, mine).map((o) => o.id)).toEqual(['b', 'a']);
  });
  it('list the meetings to come, of my groups or of all', () => {
    expect(meetingsComing(groups, groupsOf(groups, AMF), NOW).map((m) => m.meeting.id)).toEqual(['m2']);
    expect(meetingsComing(groups, null, NOW).map((m) => [m.groupName, m.meeting.id])).toEqual([
      ['Infrastructures', 'm1'],
      ['Gouvernance', 'm2'],
    ]);
    expect(meetingsComing(groups, null, NOW, 1)).toHaveLength(1);
  });
});

describe('overdue sheets', () => {
  const sheets: SheetRow[] = [
    { id: 'late', status: 'in_progress', due_date: '2024-03-01', organisation_id: AMF },
    { id: 'later', status: 'planned', due_date: '2024-02-01', organisation_id: CDC },
    { id: 'today', status: 'planned', due_date: '2024-03-04', organisation_id: AMF },
    { id: 'done', status: 'done', due_date: '2024-01-01', organisation_id: AMF },
    { id: 'abandoned', status: 'abandoned', due_date: '2024-01-01', organisation_id: AMF },
    { id: 'nodate', status: 'planned' },
  ];
  it('are past due and still open, of my organisation or all', () => {
    expect(overdueSheets(sheets, '2024-03-04', null).map((s) => s.id)).toEqual(['later', 'late']);
    expect(overdueSheets(sheets, '2024-03-04', AMF).map((s) => s.id)).toEqual(['late']);
    expect(daysLate('2024-03-01', '2024-03-04')).toBe(3);
    expect(daysLate('garbage', '2024-03-04')).toBe(0);
    expect(civilToday(new Date(2024, 2, 4, 23, 30).getTime())).toBe('2024-03-04');
  });
});

describe('sections per role', () => {
  it('show votes and amendments to those who act for an organisation', () => {
    expect(sectionsFor('member', AMF)).toEqual({ votes: true, amendments: true, onlyMyGroups: true, onlyMySheets: true });
    expect(sectionsFor('secretariat', AMF)).toEqual({ votes: true, amendments: true, onlyMyGroups: false, onlyMySheets: false });
    expect(sectionsFor('observer', null)).toEqual({ votes: false, amendments: false, onlyMyGroups: false, onlyMySheets: false });
    expect(sectionsFor('auditor', AMF).votes).toBe(false);
  });
});
