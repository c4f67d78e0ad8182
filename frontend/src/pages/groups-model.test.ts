import { describe, expect, it } from 'vitest';
import {
  type Group,
  type Meeting,
  attendanceBody,
  attendanceOf,
  candidates,
  hasStarted,
  latestMinutes,
  localToISO,
  mayManage,
  mayMeet,
  nextMeeting,
  nextStart,
  orgLabel,
  parseAgenda,
  safeHttps,
  scheduleField,
  sortGroups,
  splitMeetings,
} from './groups-model';

const meeting = (id: string, starts_at: string, extra: Partial<Meeting> = {}): Meeting => ({
  id,
  title: `Réunion ${id}`,
  kind: 'meeting',
  starts_at,
  agenda: [{ title: 'Point' }],
  minutes_published: false,
  minutes: [],
  ...extra,
});

const group = (id: string, extra: Partial<Group> = {}): Group => ({
  id,
  name: `Groupe ${id}`,
  theme: 'gouvernance',
  status: 'open',
  lead_organisation_id: 'lead',
  members: [
    { organisation_id: 'lead', since: '2025-01-02', lead: true },
    { organisation_id: 'amf', since: '2025-01-03' },
  ],
  meetings: [],
  revision: 0,
  position: 1,
  ...extra,
});

const NOW = Date.parse('2025-06-01T12:00:00Z');

describe('groups', () => {
  it('lists open groups first, then by name in the language', () => {
    const rows = sortGroups(
      [group('1', { name: 'Usages', status: 'closed' }), group('2', { name: 'référentiels' }), group('3', { name: 'Accompagnement' })],
      'fr',
    );
    expect(rows.map((g) => g.id)).toEqual(['3', '2', '1']);
  });

  it('splits meetings into upcoming (soonest first) and past (latest first)', () => {
    const ms = [
      meeting('a', '2025-05-01T09:00:00Z'),
      meeting('b', '2025-07-01T09:00:00Z'),
      meeting('c', '2025-06-02T09:00:00Z'),
      meeting('d', '2025-05-20T09:00:00Z'),
      meeting('now', '2025-06-01T12:00:00Z'),
    ];
    const { upcoming, past } = splitMeetings(ms, NOW);
    expect(upcoming.map((m) => m.id)).toEqual(['c', 'b']);
    expect(past.map((m) => m.id)).toEqual(['now', 'd', 'a']);
    expect(hasStarted(ms[4]!, NOW)).toBe(true);
    expect(nextMeeting(group('g', { meetings: ms }), NOW)?.id).toBe('c');
    expect(nextMeeting(group('g'), NOW)).toBeUndefined();
  });

  it('knows when the next meeting of any group starts', () => {
    const gs = [group('1', { meetings: [meeting('a', '2025-06-03T09:00:00Z')] }), group('2', { meetings: [meeting('b', '2025-06-02T09:00:00Z'), meeting('c', '2025-01-01T09:00:00Z')] })];
    expect(nextStart(gs, NOW)).toBe(Date.parse('2025-06-02T09:00:00Z'));
    expect(nextStart([group('3')], NOW)).toBeUndefined();
  });
});

describe('who may act', () => {
  const g = group('g');
  it('lets the secretariat and the members of the group run its meetings', () => {
    expect(mayMeet({ role: 'secretariat', organisation_id: 'x' }, g)).toBe(true);
    expect(mayMeet({ role: 'member', organisation_id: 'amf' }, g)).toBe(true);
    expect(mayMeet({ role: 'member', organisation_id: 'cdc' }, g)).toBe(false);
    expect(mayMeet({ role: 'member', organisation_id: null }, g)).toBe(false);
    expect(mayMeet({ role: 'auditor', organisation_id: 'amf' }, g)).toBe(false);
    expect(mayMeet({ role: 'observer' }, g)).toBe(false);
    expect(mayMeet({ role: 'secretariat' }, group('c', { status: 'closed' }))).toBe(false);
  });

  it('lets the secretariat and the lead organisation manage the membership', () => {
    expect(mayManage({ role: 'secretariat' }, g)).toBe(true);
    expect(mayManage({ role: 'member', organisation_id: 'lead' }, g)).toBe(true);
    expect(mayManage({ role: 'member', organisation_id: 'amf' }, g)).toBe(false);
    expect(mayManage({ role: 'secretariat' }, group('c', { status: 'closed' }))).toBe(false);
  });
});

describe('organisations', () => {
  const orgs = new Map([
    ['amf', { id: 'amf', name: 'Association des Maires de France', acronym: 'AMF' }],
    ['x', { id: 'x', name: 'Sans sigle' }],
  ]);
  it('labels an organisation by acronym, name, or as gone', () => {
    expect(orgLabel(orgs, 'amf', '?')).toBe('AMF');
    expect(orgLabel(orgs, 'x', '?')).toBe('Sans sigle');
    expect(orgLabel(orgs, 'gone', 'Organisation retirée')).toBe('Organisation retirée');
  });

  it('offers the organisations not yet in the group', () => {
    const list = [
      { id: 'cdc', name: 'Caisse des Dépôts', acronym: 'CDC' },
      { id: 'amf', name: 'AMF', acronym: 'AMF' },
      { id: 'adf', name: 'Départements de France', acronym: 'ADF' },
    ];
    expect(candidates(list, group('g'), 'fr').map((o) => o.id)).toEqual(['adf', 'cdc']);
  });
});

describe('forms', () => {
  it('reads the agenda one item per line', () => {
    expect(parseAgenda('  Ouverture \n\n Financements\r\nQuestions diverses  \n')).toEqual([
      { title: 'Ouverture' },
      { title: 'Financements' },
      { title: 'Questions diverses' },
    ]);
    expect(parseAgenda(' \n ')).toEqual([]);
  });

  it('turns a local date and time into an instant', () => {
    const iso = localToISO('2030-05-06T14:30');
    expect(iso).toBe(new Date(2030, 4, 6, 14, 30).toISOString());
    expect(localToISO('')).toBeUndefined();
    expect(localToISO('demain')).toBeUndefined();
  });

  it('names the form field of a problem', () => {
    expect(scheduleField('starts_at')).toBe('starts_at');
    expect(scheduleField('agenda[2].title')).toBe('agenda');
    expect(scheduleField('agenda[0].presenter_organisation_id')).toBe('agenda');
    expect(scheduleField('group_id')).toBeUndefined();
  });

  it('splits attendance choices into the command lists, sorted', () => {
    expect(attendanceBody({ b: 'present', a: 'present', c: 'excused', d: 'absent' })).toEqual({
      present: ['a', 'b'],
      excused: ['c'],
    });
  });

  it('tells each member’s attendance', () => {
    const m = meeting('m', '2025-05-01T09:00:00Z', {
      attendance: { version: 1, present: ['lead'], excused: ['amf'], recorded_at: '2025-05-01T12:00:00Z' },
    });
    expect(attendanceOf(m, 'lead')).toBe('present');
    expect(attendanceOf(m, 'amf')).toBe('excused');
    expect(attendanceOf(m, 'cdc')).toBe('absent');
    expect(attendanceOf(meeting('n', '2025-05-01T09:00:00Z'), 'lead')).toBe('unknown');
  });

  it('shows the latest minutes and only https video links', () => {
    const m = meeting('m', '2025-05-01T09:00:00Z', {
      minutes: [
        { version: 1, text: 'v1', published_at: '2025-05-02T09:00:00Z' },
        { version: 2, text: 'v2', published_at: '2025-05-03T09:00:00Z' },
      ],
    });
    expect(latestMinutes(m)?.text).toBe('v2');
    expect(latestMinutes(meeting('n', '2025-05-01T09:00:00Z'))).toBeUndefined();
    expect(safeHttps('https://visio.example.org/salle')).toBe('https://visio.example.org/salle');
    expect(safeHttps('javascript:alert(1)')).toBeUndefined();
    expect(safeHttps('http://insecure.example.org')).toBeUndefined();
    expect(safeHttps(undefined)).toBeUndefined();
  });
});
