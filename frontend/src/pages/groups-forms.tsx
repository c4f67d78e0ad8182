// The forms of a working group: schedule a meeting, record attendance, publish minutes,
// add a member. Each sends one command and shows success only once the `groups` view
// shows its effect (read-your-writes); a refusal is shown with the server's words, next
// to the fields it names, and the typed input is kept.
import { type ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { type Problem, problemMessage } from '../api';
import { useCommand, type CommandOutcome } from '../hooks';
import { type MessageKey, ruleKey } from '../i18n';
import type { LiveClient } from '../live';
import { useI18n } from '../ui';
import {
  type Group,
  type Meeting,
  MEETING_KINDS,
  type OrgLike,
  attendanceBody,
  attendanceOf,
  latestMinutes,
  localToISO,
  orgLabel,
  parseAgenda,
  scheduleField,
} from './groups-model';
import { kindLabel } from './groups-ui';

const VIEWS = ['groups'] as const;

/** The message explaining a violated rule the server named for a field. */
function ruleMessage(t: (k: MessageKey) => string, rule: string, general: string | undefined): string {
  const name = rule.split(/[=,]/)[0]!.trim().toLowerCase();
  switch (name) {
    case 'future':
      return t('groups.rule.future');
    case 'required_without':
      return t('groups.rule.placeOrVideo');
    case 'https_url':
      return t('groups.rule.https');
    case 'member':
      return t('groups.rule.member');
    case 'committee_organisation':
      return t('groups.rule.committee');
  }
  const key = ruleKey(rule);
  return key ? t(key) : (general ?? rule);
}

/** The failure or success message of a form, announced; the failure takes the focus. */
function Outcome({
  outcome,
  failed,
  success,
  testid,
  fieldsShown = false,
}: {
  outcome: CommandOutcome | null;
  failed: MessageKey;
  success: string | null;
  testid: string;
  /** Whether the failure named fields the form shows: the first of them takes the focus then. */
  fieldsShown?: boolean;
}) {
  const { lang, t } = useI18n();
  const box = useRef<HTMLDivElement>(null);
  const failure = outcome?.kind === 'problem' || outcome?.kind === 'network';
  useEffect(() => {
    if (failure && !fieldsShown) box.current?.focus();
  }, [outcome]);
  if (failure) {
    return (
      <div class="alert alert--error" role="alert" tabIndex={-1} ref={box} data-testid={`${testid}-error`}>
        <p class="alert__title">{t(failed)}</p>
        {outcome.kind === 'network' ? (
          <p>{t('groups.form.network')}</p>
        ) : (
          <p>{problemMessage(outcome.problem, lang) ?? t('groups.form.unexpected', { status: outcome.status })}</p>
        )}
      </div>
    );
  }
  if (outcome?.kind === 'success' && success) {
    return (
      <div class="alert alert--success" role="status" data-testid={`${testid}-success`}>
        <p>{success}</p>
      </div>
    );
  }
  return null;
}

/** A labelled field with its hint and its error. */
function Field({
  id,
  label,
  hint,
  required,
  error,
  children,
}: {
  id: string;
  label: string;
  hint?: string;
  required?: boolean;
  error?: string;
  children: ComponentChildren;
}) {
  return (
    <div class={`field${error ? ' field--error' : ''}`}>
      <label for={id}>
        {label}
        {required && (
          <span class="field__required" aria-hidden="true">
            {' '}
            *
          </span>
        )}
      </label>
      {hint && (
        <p class="field__hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {children}
      {error && (
        <p class="field__error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

/** aria-describedby of a field: its hint and its error, if any. */
function describedBy(id: string, hint: boolean, error: string | undefined): string | undefined {
  return [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
}

type ScheduleValues = { title: string; kind: string; starts_at: string; place: string; video_url: string; agenda: string };
type ScheduleField = keyof ScheduleValues;
const SCHEDULE_EMPTY: ScheduleValues = { title: '', kind: 'meeting', starts_at: '', place: '', video_url: '', agenda: '' };
const SCHEDULE_ORDER: ScheduleField[] = ['title', 'kind', 'starts_at', 'place', 'video_url', 'agenda'];

/** Field errors of a problem, by form field, in the current language. */
function fieldErrors<F extends string>(
  problem: Problem | undefined,
  map: (path: string) => F | undefined,
  general: string | undefined,
  t: (k: MessageKey) => string,
): Partial<Record<F, string>> {
  const out: Partial<Record<F, string>> = {};
  for (const [path, rule] of Object.entries(problem?.fields ?? {})) {
    const f = map(path);
    if (f && !out[f]) out[f] = ruleMessage(t, String(rule), general);
  }
  return out;
}

/** Schedules a meeting of the group: title, kind, date and time, place or video, agenda. */
export function ScheduleMeetingForm({ live, group }: { live: LiveClient; group: Group }) {
  const { lang, t } = useI18n();
  const [values, setValues] = useState<ScheduleValues>(SCHEDULE_EMPTY);
  const [done, setDone] = useState<string | null>(null);
  const { run, busy, outcome } = useCommand(live);
  const form = useRef<HTMLFormElement>(null);
  const problem = outcome?.kind === 'problem' ? outcome.problem : undefined;
  const errors = useMemo(
    () => fieldErrors<ScheduleField>(problem, scheduleField, problem && problemMessage(problem, lang), t),
    [problem, lang, t],
  );
  useEffect(() => {
    const first = SCHEDULE_ORDER.find((f) => errors[f]);
    if (first) form.current?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus();
  }, [outcome]);

  const set = (name: ScheduleField) => (e: Event) => {
    const v = (e.currentTarget as HTMLInputElement).value;
    setValues((prev) => ({ ...prev, [name]: v }));
  };

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const body: Record<string, unknown> = {
      group_id: group.id,
      title: values.title.trim(),
      kind: values.kind,
      agenda: parseAgenda(values.agenda),
    };
    // An unreadable date is sent as typed, for the server to name the field.
    body.starts_at = localToISO(values.starts_at) ?? values.starts_at;
    if (values.place.trim()) body.place = values.place.trim();
    if (values.video_url.trim()) body.video_url = values.video_url.trim();
    setDone(null);
    if (await run('workinggroups/schedule-meeting', body, VIEWS)) {
      setDone(values.title.trim());
      setValues(SCHEDULE_EMPTY);
    }
  };

  // What every text input of the form shares: its name, value and error.
  const common = (name: ScheduleField, hint = false) => ({
    id: `gs-${name}`,
    name,
    value: values[name],
    onInput: set(name),
    'aria-invalid': errors[name] ? ('true' as const) : undefined,
    'aria-describedby': describedBy(`gs-${name}`, hint, errors[name]),
  });

  return (
    <section class="panel groups-form" aria-labelledby="schedule-title" data-testid="schedule-form">
      <h2 id="schedule-title">{t('groups.schedule.title')}</h2>
      <p class="form-intro">{t('groups.form.required')}</p>
      <Outcome
        outcome={outcome}
        failed="groups.schedule.failed"
        success={done && t('groups.schedule.success', { title: done })}
        testid="schedule"
        fieldsShown={Object.keys(errors).length > 0}
      />
      <form ref={form} onSubmit={onSubmit} noValidate aria-busy={busy}>
        <Field id="gs-title" label={t('groups.schedule.meetingTitle')} required error={errors.title}>
          <input type="text" required autoComplete="off" {...common('title')} />
        </Field>
        <Field id="gs-kind" label={t('groups.schedule.kind')} required error={errors.kind}>
          <select
            id="gs-kind"
            name="kind"
            value={values.kind}
            onChange={set('kind')}
            aria-invalid={errors.kind ? 'true' : undefined}
            aria-describedby={describedBy('gs-kind', false, errors.kind)}
          >
            {MEETING_KINDS.map((k) => (
              <option value={k} key={k}>
                {kindLabel(t, k)}
              </option>
            ))}
          </select>
        </Field>
        <Field
          id="gs-starts_at"
          label={t('groups.schedule.startsAt')}
          hint={t('groups.schedule.startsAt.hint')}
          required
          error={errors.starts_at}
        >
          <input type="datetime-local" required {...common('starts_at', true)} />
        </Field>
        <Field id="gs-place" label={t('groups.schedule.place')} hint={t('groups.schedule.place.hint')} error={errors.place}>
          <input type="text" autoComplete="off" {...common('place', true)} />
        </Field>
        <Field id="gs-video_url" label={t('groups.schedule.video')} hint={t('groups.schedule.video.hint')} error={errors.video_url}>
          <input type="url" inputMode="url" autoComplete="url" {...common('video_url', true)} />
        </Field>
        <Field
          id="gs-agenda"
          label={t('groups.schedule.agenda')}
          hint={t('groups.schedule.agenda.hint')}
          required
          error={errors.agenda}
        >
          <textarea
            id="gs-agenda"
            name="agenda"
            rows={4}
            required
            value={values.agenda}
            onInput={set('agenda')}
            aria-invalid={errors.agenda ? 'true' : undefined}
            aria-describedby={describedBy('gs-agenda', true, errors.agenda)}
          />
        </Field>
        <button type="submit" class="button" disabled={busy}>
          {busy ? t('groups.form.submitting') : t('groups.schedule.submit')}
        </button>
      </form>
    </section>
  );
}

/** Records who attended a meeting that has started: present, excused or absent, per member. */
export function AttendanceForm({
  live,
  group,
  meeting,
  orgs,
}: {
  live: LiveClient;
  group: Group;
  meeting: Meeting;
  orgs: ReadonlyMap<string, OrgLike>;
}) {
  const { t } = useI18n();
  // What each member's radio shows until the user picks: the recorded attendance, or
  // present when none was recorded (members who joined since included).
  const [picked, setPicked] = useState<Record<string, string>>({});
  const choiceOf = (id: string) => {
    const a = attendanceOf(meeting, id);
    return picked[id] ?? (a === 'unknown' ? 'present' : a);
  };
  const { run, busy, outcome } = useCommand(live);
  const [done, setDone] = useState(false);
  const unknown = t('groups.org.unknown');
  const prefix = `ga-${meeting.id}`;

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setDone(false);
    const choices = Object.fromEntries(group.members.map((m) => [m.organisation_id, choiceOf(m.organisation_id)]));
    const body = { group_id: group.id, meeting_id: meeting.id, ...attendanceBody(choices) };
    if (await run('workinggroups/record-attendance', body, VIEWS)) setDone(true);
  };

  return (
    <details class="groups-action" data-testid="attendance-action">
      <summary>{t('groups.attendanceForm.summary')}</summary>
      <Outcome
        outcome={outcome}
        failed="groups.attendanceForm.failed"
        success={done ? t('groups.attendanceForm.success') : null}
        testid="attendance"
      />
      <form onSubmit={onSubmit} noValidate aria-busy={busy} aria-describedby={`${prefix}-hint`}>
        <p class="field__hint" id={`${prefix}-hint`}>
          {t('groups.attendanceForm.hint')}
        </p>
        {group.members.map((m) => {
          const label = orgLabel(orgs, m.organisation_id, unknown);
          return (
            <fieldset class="groups-attendance" key={m.organisation_id}>
              <legend>{t('groups.attendanceForm.legend', { org: label })}</legend>
              {(['present', 'excused', 'absent'] as const).map((c) => {
                const id = `${prefix}-${m.organisation_id}-${c}`;
                return (
                  <span class="groups-radio" key={c}>
                    <input
                      type="radio"
                      id={id}
                      name={`${prefix}-${m.organisation_id}`}
                      value={c}
                      checked={choiceOf(m.organisation_id) === c}
                      onChange={() => setPicked((prev) => ({ ...prev, [m.organisation_id]: c }))}
                    />
                    <label for={id}>{t(`groups.attendance.${c}`)}</label>
                  </span>
                );
              })}
            </fieldset>
          );
        })}
        <button type="submit" class="button" disabled={busy}>
          {busy ? t('groups.form.submitting') : t('groups.attendanceForm.submit')}
        </button>
      </form>
    </details>
  );
}

/** Publishes (a new version of) the minutes of a meeting that has started. */
export function MinutesForm({ live, group, meeting }: { live: LiveClient; group: Group; meeting: Meeting }) {
  const { lang, t } = useI18n();
  const [text, setText] = useState(() => latestMinutes(meeting)?.text ?? '');
  const { run, busy, outcome } = useCommand(live);
  const [done, setDone] = useState(false);
  const id = `gm-${meeting.id}`;
  const problem = outcome?.kind === 'problem' ? outcome.problem : undefined;
  const error = problem?.fields?.text ? ruleMessage(t, problem.fields.text, problemMessage(problem, lang)) : undefined;
  const area = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    if (error) area.current?.focus();
  }, [outcome]);

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setDone(false);
    if (await run('workinggroups/publish-minutes', { group_id: group.id, meeting_id: meeting.id, text }, VIEWS)) setDone(true);
  };

  return (
    <details class="groups-action" data-testid="minutes-action">
      <summary>{t(meeting.minutes_published ? 'groups.minutesForm.summaryAgain' : 'groups.minutesForm.summary')}</summary>
      <Outcome outcome={outcome} failed="groups.minutesForm.failed" success={done ? t('groups.minutesForm.success') : null} testid="minutes" fieldsShown={!!error} />
      <form onSubmit={onSubmit} noValidate aria-busy={busy}>
        <Field id={id} label={t('groups.minutesForm.text')} hint={t('groups.minutesForm.hint')} required error={error}>
          <textarea
            ref={area}
            id={id}
            name="text"
            rows={6}
            required
            value={text}
            onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)}
            aria-invalid={error ? 'true' : undefined}
            aria-describedby={describedBy(id, true, error)}
          />
        </Field>
        <button type="submit" class="button" disabled={busy}>
          {busy ? t('groups.form.submitting') : t('groups.minutesForm.submit')}
        </button>
      </form>
    </details>
  );
}

/** Adds an organisation of the committee to the group. */
export function AddMemberForm({ live, group, candidates }: { live: LiveClient; group: Group; candidates: OrgLike[] }) {
  const { lang, t } = useI18n();
  const [org, setOrg] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const { run, busy, outcome } = useCommand(live);
  const problem = outcome?.kind === 'problem' ? outcome.problem : undefined;
  const rule = problem?.fields?.organisation_id;
  const error = rule ? ruleMessage(t, rule, problemMessage(problem, lang)) : undefined;

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setDone(null);
    const chosen = candidates.find((o) => o.id === org);
    if (await run('workinggroups/add-member', { group_id: group.id, organisation_id: org }, VIEWS)) {
      setDone(chosen ? chosen.acronym || chosen.name : org);
      setOrg('');
    }
  };

  return (
    <div class="groups-add-member" data-testid="add-member-form">
      <h3 id="add-member-title">{t('groups.addMember.title')}</h3>
      <Outcome
        outcome={outcome}
        failed="groups.addMember.failed"
        success={done && t('groups.addMember.success', { org: done })}
        testid="add-member"
        fieldsShown={!!error}
      />
      {candidates.length === 0 ? (
        <p class="groups__muted">{t('groups.addMember.none')}</p>
      ) : (
        <form onSubmit={onSubmit} noValidate aria-busy={busy} aria-labelledby="add-member-title">
          <Field id="gam-org" label={t('groups.addMember.org')} required error={error}>
            <select
              id="gam-org"
              name="organisation_id"
              required
              value={org}
              onChange={(e) => setOrg((e.currentTarget as HTMLSelectElement).value)}
              aria-invalid={error ? 'true' : undefined}
              aria-describedby={describedBy('gam-org', false, error)}
            >
              <option value="">{t('groups.addMember.choose')}</option>
              {candidates.map((o) => (
                <option value={o.id} key={o.id}>
                  {o.acronym ? `${o.acronym} — ${o.name}` : o.name}
                </option>
              ))}
            </select>
          </Field>
          <button type="submit" class="button button--secondary" disabled={busy}>
            {busy ? t('groups.form.submitting') : t('groups.addMember.submit')}
          </button>
        </form>
      )}
    </div>
  );
}
