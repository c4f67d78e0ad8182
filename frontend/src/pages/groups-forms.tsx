// The forms of a working group: schedule a meeting, record attendance, publish minutes,
// add a member. Each sends one command and shows success only once the `groups` view
// shows its effect (read-your-writes); a refusal is shown with the server's words, next
// to the fields it names, and the typed input is kept.
import { useEffect, useRef, useState } from 'preact/hooks';
import { problemMessage } from '../api';
import {
  Field,
  Options,
  type Outcome,
  OutcomeAlert,
  SubmitButton,
  bindFields,
  codeChoices,
  controlProps,
  orgChoices,
  ruleMessage,
  useFieldErrors,
  useValues,
} from '../forms';
import { useCommand } from '../hooks';
import type { Lang, Translate } from '../i18n';
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

const VIEWS = ['groups'] as const;

/** The message explaining a violated rule the server named for a field. */
function groupRule(t: Translate, rule: string, outcome: Outcome | null, lang: Lang): string {
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
  return ruleMessage(t, rule, (outcome?.kind === 'problem' && problemMessage(outcome.problem, lang)) || rule);
}

type ScheduleValues = { title: string; kind: string; starts_at: string; place: string; video_url: string; agenda: string };
type ScheduleField = keyof ScheduleValues;
const SCHEDULE_EMPTY: ScheduleValues = { title: '', kind: 'meeting', starts_at: '', place: '', video_url: '', agenda: '' };
const SCHEDULE_ORDER: ScheduleField[] = ['title', 'kind', 'starts_at', 'place', 'video_url', 'agenda'];

/** Schedules a meeting of the group: title, kind, date and time, place or video, agenda. */
export function ScheduleMeetingForm({ live, group }: { live: LiveClient; group: Group }) {
  const { lang, t } = useI18n();
  const [values, setValues, set] = useValues<ScheduleValues>(SCHEDULE_EMPTY);
  const [done, setDone] = useState<string | null>(null);
  const { run, busy, outcome } = useCommand(live);
  const form = useRef<HTMLFormElement>(null);
  const errors = useFieldErrors(outcome, scheduleField, (rule) => groupRule(t, rule, outcome, lang));
  useEffect(() => {
    const first = SCHEDULE_ORDER.find((f) => errors[f]);
    if (first) form.current?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus();
  }, [outcome]);


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

  const { field, control } = bindFields('gs-', values, errors);

  return (
    <section class="panel form-panel" aria-labelledby="schedule-title" data-testid="schedule-form">
      <h2 id="schedule-title">{t('groups.schedule.title')}</h2>
      <p class="form-intro">{t('groups.form.required')}</p>
      <OutcomeAlert
        outcome={outcome}
        title={t('groups.schedule.failed')}
        success={done && t('groups.schedule.success', { title: done })}
        testid="schedule"
        focus={Object.keys(errors).length === 0}
      />
      <form ref={form} onSubmit={onSubmit} noValidate aria-busy={busy}>
        <Field {...field('title')} label={t('groups.schedule.meetingTitle')} required>
          <input {...control('title')} type="text" required autoComplete="off" onInput={set('title')} />
        </Field>
        <Field {...field('kind')} label={t('groups.schedule.kind')} required>
          <select {...control('kind')} onChange={set('kind')}>
            <Options choices={codeChoices(t, 'groups.kind', MEETING_KINDS)} />
          </select>
        </Field>
        <Field {...field('starts_at')} label={t('groups.schedule.startsAt')} hint={t('groups.schedule.startsAt.hint')} required>
          <input {...control('starts_at', true)} type="datetime-local" required onInput={set('starts_at')} />
        </Field>
        <Field {...field('place')} label={t('groups.schedule.place')} hint={t('groups.schedule.place.hint')}>
          <input {...control('place', true)} type="text" autoComplete="off" onInput={set('place')} />
        </Field>
        <Field {...field('video_url')} label={t('groups.schedule.video')} hint={t('groups.schedule.video.hint')}>
          <input {...control('video_url', true)} type="url" inputMode="url" autoComplete="url" onInput={set('video_url')} />
        </Field>
        <Field {...field('agenda')} label={t('groups.schedule.agenda')} hint={t('groups.schedule.agenda.hint')} required>
          <textarea {...control('agenda', true)} rows={4} required onInput={set('agenda')} />
        </Field>
        <SubmitButton busy={busy}>{t('groups.schedule.submit')}</SubmitButton>
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
      <OutcomeAlert
        outcome={outcome}
        title={t('groups.attendanceForm.failed')}
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
        <SubmitButton busy={busy}>{t('groups.attendanceForm.submit')}</SubmitButton>
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
  const error = useFieldErrors(outcome, (name) => (name === 'text' ? name : undefined), (rule) => groupRule(t, rule, outcome, lang)).text;
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
      <OutcomeAlert
        outcome={outcome}
        title={t('groups.minutesForm.failed')}
        success={done ? t('groups.minutesForm.success') : null}
        testid="minutes"
        focus={!error}
      />
      <form onSubmit={onSubmit} noValidate aria-busy={busy}>
        <Field id={id} label={t('groups.minutesForm.text')} hint={t('groups.minutesForm.hint')} required error={error}>
          <textarea
            {...controlProps(id, error, true)}
            ref={area}
            name="text"
            rows={6}
            required
            value={text}
            onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)}
          />
        </Field>
        <SubmitButton busy={busy}>{t('groups.minutesForm.submit')}</SubmitButton>
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
  const error = useFieldErrors(
    outcome,
    (name) => (name === 'organisation_id' ? name : undefined),
    (rule) => groupRule(t, rule, outcome, lang),
  ).organisation_id;

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
      <OutcomeAlert
        outcome={outcome}
        title={t('groups.addMember.failed')}
        success={done && t('groups.addMember.success', { org: done })}
        testid="add-member"
        focus={!error}
      />
      {candidates.length === 0 ? (
        <p class="groups__muted">{t('groups.addMember.none')}</p>
      ) : (
        <form onSubmit={onSubmit} noValidate aria-busy={busy} aria-labelledby="add-member-title">
          <Field id="gam-org" label={t('groups.addMember.org')} required error={error}>
            <select
              {...controlProps('gam-org', error)}
              name="organisation_id"
              required
              value={org}
              onChange={(e) => setOrg((e.currentTarget as HTMLSelectElement).value)}
            >
              <Options none={t('groups.addMember.choose')} choices={orgChoices(candidates)} />
            </select>
          </Field>
          <SubmitButton busy={busy} secondary>{t('groups.addMember.submit')}</SubmitButton>
        </form>
      )}
    </div>
  );
}
