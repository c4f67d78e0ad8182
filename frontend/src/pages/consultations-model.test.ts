import { describe, expect, it } from 'vitest';
import {
  type Consultation,
  type OpenForm,
  type Result,
  ballotSeats,
  createdConsultationId,
  defaultDeadline,
  formField,
  openBody,
  optionsFromLines,
  rankedChoices,
  recountRules,
  slugify,
  sortConsultations,
  tallyBars,
  votingEnded,
} from './consultations-model';

const AMF = 'amf-id';
const CDC = 'cdc-id';
const DNE = 'dne-id';
const NOW = Date.parse('2026-03-05T09:00:00Z');

function consultation(over: Partial<Consultation> = {}): Consultation {
  return {
    id: 'c1',
    question: 'Adopter ?',
    kind: 'yes_no_abstain',
    options: [
      { id: 'pour', label: 'Pour' },
      { id: 'contre', label: 'Contre' },
      { id: 'abstention', label: 'Abstention' },
    ],
    electorate: [
      { organisation_id: AMF, weight: 1 },
      { organisation_id: CDC, weight: 1 },
    ],
    quorum: 50,
    deadline: '2026-03-12T17:00:00Z',
    secret: false,
    results: 'live',
    status: 'open',
    opened_at: '2026-03-01T09:00:00Z',
    participants: [],
    turnout: { ballots: 0, weight: 0, electors: 2, electorate_weight: 2, percent: 0, quorum_reached: false },
    proxies: [],
    position: 1,
    ...over,
  };
}

describe('sortConsultations', () => {
  it('puts open ones first by deadline, then closed ones latest first', () => {
    const rows = [
      { id: 'a', status: 'closed' as const, deadline: '2026-01-01T00:00:00Z', closed_at: '2026-01-01T00:00:00Z' },
      { id: 'b', status: 'open' as const, deadline: '2026-05-01T00:00:00Z' },
      { id: 'c', status: 'closed' as const, deadline: '2026-01-01T00:00:00Z', closed_at: '2026-02-01T00:00:00Z' },
      { id: 'd', status: 'open' as const, deadline: '2026-04-01T00:00:00Z' },
    ];
    expect(sortConsultations(rows).map((r) => r.id)).toEqual(['d', 'b', 'c', 'a']);
  });
});

describe('votingEnded', () => {
  it('is true once closed or past the deadline', () => {
    expect(votingEnded(consultation(), NOW)).toBe(false);
    expect(votingEnded(consultation(), Date.parse('2026-03-12T17:00:00Z'))).toBe(true);
    expect(votingEnded(consultation({ status: 'closed' }), NOW)).toBe(true);
  });
});

describe('ballotSeats', () => {
  const amfMember = { role: 'member', organisation_id: AMF };

  it('offers the own organisation, and the ones whose proxy it holds', () => {
    const c = consultation({
      proxies: [{ from_organisation_id: CDC, to_organisation_id: AMF, signed_on: '2026-03-01', recorded_by_secretariat: false }],
    });
    expect(ballotSeats(c, amfMember, NOW)).toEqual([
      { organisation_id: AMF, via_proxy: false, participant: undefined, may_vote: true },
      { organisation_id: CDC, via_proxy: true, participant: undefined, may_vote: true },
    ]);
  });

  it('offers nothing to auditors, observers, outsiders, nor once voting ended', () => {
    expect(ballotSeats(consultation(), { role: 'auditor', organisation_id: AMF }, NOW)).toEqual([]);
    expect(ballotSeats(consultation(), { role: 'observer', organisation_id: null }, NOW)).toEqual([]);
    expect(ballotSeats(consultation(), { role: 'secretariat', organisation_id: DNE }, NOW)).toEqual([]);
    expect(ballotSeats(consultation({ status: 'closed' }), amfMember, NOW)[0]!.may_vote).toBe(false);
  });

  it('lets an open ballot be changed, never a secret one', () => {
    const voted = { organisation_id: AMF, weight: 1, via_proxy: false, cast_by_organisation: AMF, at: '2026-03-02T10:00:00Z', changes: 0 };
    expect(ballotSeats(consultation({ participants: [voted] }), amfMember, NOW)[0]).toMatchObject({ may_vote: true, participant: voted });
    expect(ballotSeats(consultation({ participants: [voted], secret: true }), amfMember, NOW)[0]!.may_vote).toBe(false);
  });
});

describe('tallyBars', () => {
  const result: Result = {
    kind: 'yes_no_abstain',
    counts: [
      { option_id: 'pour', weight: 3, ballots: 1 },
      { option_id: 'contre', weight: 1, ballots: 1 },
    ],
    ballots_cast: 3,
    participating_weight: 6,
    expressed_weight: 4,
    electorate_weight: 8,
    participation_percent: 75,
    min_participation: 50,
    quorum_reached: true,
    outcome: 'adopted',
  };

  it('gives each option its weight and share of the participating weight, in ballot order', () => {
    const bars = tallyBars(consultation().options, result);
    expect(bars.map((b) => [b.option.id, b.weight, b.ballots, b.percent])).toEqual([
      ['pour', 3, 1, 50],
      ['contre', 1, 1, 16.7],
      ['abstention', 0, 0, 0],
    ]);
  });

  it('shares points for a ranked consultation and marks winners', () => {
    const options = [
      { id: 'a', label: 'A' },
      { id: 'b', label: 'B' },
    ];
    const bars = tallyBars(options, {
      ...result,
      kind: 'ranked',
      outcome: 'decided',
      winners: ['a'],
      counts: [
        { option_id: 'a', weight: 2, ballots: 2, points: 4 },
        { option_id: 'b', weight: 0, ballots: 0, points: 2 },
      ],
    });
    expect(bars.map((b) => [b.points, b.percent, b.winner])).toEqual([
      [4, 66.7, true],
      [2, 33.3, false],
    ]);
  });

  it('copes with no counts and no participation', () => {
    const bars = tallyBars(consultation().options, { ...result, counts: null, participating_weight: 0 });
    expect(bars.every((b) => b.percent === 0 && b.weight === 0)).toBe(true);
  });
});

describe('options', () => {
  it('slugifies labels into option IDs', () => {
    expect(slugify('À l’échelle du département')).toBe('a-l-echelle-du-departement');
    expect(slugify('  ')).toBe('');
    expect(slugify('x'.repeat(60)).length).toBe(40);
  });

  it('reads one option a line, with unique IDs', () => {
    expect(optionsFromLines('Académie\n\n  Département \nAcadémie\n!!!')).toEqual([
      { id: 'academie', label: 'Académie' },
      { id: 'departement', label: 'Département' },
      { id: 'academie-2', label: 'Académie' },
      { id: 'option-4', label: '!!!' },
    ]);
  });
});

describe('openBody', () => {
  const form: OpenForm = {
    question: '  Quelle échelle ? ',
    description: '',
    kind: 'multiple_choice',
    options: 'Académie\nDépartement',
    max_choices: '1',
    electorate: { [AMF]: '1', [CDC]: '3' },
    quorum: '50',
    deadline: '2026-03-12T17:00',
    secret: true,
    results: 'at_close',
  };

  it('builds the open-consultation command', () => {
    const body = openBody(form);
    expect(body).toMatchObject({
      question: 'Quelle échelle ?',
      kind: 'multiple_choice',
      options: [
        { id: 'academie', label: 'Académie' },
        { id: 'departement', label: 'Département' },
      ],
      max_choices: 1,
      electorate: [{ organisation_id: AMF }, { organisation_id: CDC, weight: 3 }],
      quorum: { min_participation: 50 },
      secret: true,
      results: 'at_close',
    });
    expect(body.description).toBeUndefined();
    expect(body.deadline).toBe(new Date('2026-03-12T17:00').toISOString());
  });

  it('sends no options for a yes/no question', () => {
    const body = openBody({ ...form, kind: 'yes_no_abstain' });
    expect(body.options).toBeUndefined();
    expect(body.max_choices).toBeUndefined();
  });
});

describe('helpers', () => {
  it('defaults the deadline to a week later at 17:00', () => {
    expect(defaultDeadline(new Date(2026, 2, 5, 9, 30))).toBe('2026-03-12T17:00');
  });

  it('finds the created consultation in a reply', () => {
    expect(createdConsultationId([{ stream: 'consultation-1234' }])).toBe('1234');
    expect(createdConsultationId([])).toBeUndefined();
  });

  it('maps server fields to form fields', () => {
    expect(formField('options[2].id')).toBe('options');
    expect(formField('electorate[0].organisation_id')).toBe('electorate');
    expect(formField('Quorum.min_participation')).toBe('quorum');
    expect(formField('deadline')).toBe('deadline');
  });

  it('orders a ranked ballot and refuses a repeated rank', () => {
    const options = [
      { id: 'a', label: 'A' },
      { id: 'b', label: 'B' },
      { id: 'c', label: 'C' },
    ];
    expect(rankedChoices({ a: '2', b: '', c: '1' }, options)).toEqual({ choices: ['c', 'a'] });
    expect(rankedChoices({ a: '1', b: '1' }, options)).toEqual({ choices: [], duplicate: 'b' });
  });
});

describe('recountRules', () => {
  const c = { electorate: [{ organisation_id: 'amf', weight: 3 }, { organisation_id: 'adf', weight: 2 }], quorum: 50 };
  it('keeps only what differs from the official rules', () => {
    expect(recountRules(c, { amf: '3', adf: '5' }, '50')).toEqual({ rules: { weights: { adf: 5 } }, errors: [] });
    expect(recountRules(c, {}, '80')).toEqual({ rules: { min_participation: 80 }, errors: [] });
    expect(recountRules(c, { amf: ' 0 ' }, ' 50')).toEqual({ rules: { weights: { amf: 0 } }, errors: [] });
  });
  it('names the fields that are not whole numbers in range', () => {
    expect(recountRules(c, { amf: '-1', adf: '1001' }, '101').errors).toEqual(['amf', 'adf', 'min_participation']);
    expect(recountRules(c, { amf: '2.5' }, 'x').errors).toEqual(['amf', 'min_participation']);
  });
});
