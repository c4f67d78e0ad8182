// The forms of the action sheets page: a sheet's actions (start, report progress,
// complete), the creation form and the CSV import. Each shows success only once the
// action-sheets view shows the command's effect (useCommand: read-your-writes), and the
// server's problem otherwise, keeping what was typed.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Organisation } from '../api';
import {
  ErrorAlert,
  Field,
  Options,
  ProblemAlert,
  SubmitButton,
  bindFields,
  codeChoices,
  controlProps,
  fieldIn,
  isFailure,
  orgChoices,
  useFieldErrors,
  useFocusOnFailure,
  useValues,
} from '../forms';
import { useCommand } from '../hooks';
import { type MessageKey, type PluralBase, codeLabel } from '../i18n';
import type { LiveClient } from '../live';
import type { User } from '../session';
import { useI18n } from '../ui';
import {
  IMPORT_COLUMNS,
  LEVELS,
  THEMES,
  type SheetRow,
  actionsFor,
  importProblems,
  mayAct,
} from './sheets-model';
import { ruleText } from './sheets-ui';

const VIEWS = ['action-sheets'] as const;

/** A success the page announces, translated when shown (so a language switch follows). */
export interface Notice {
  key: MessageKey;
  params?: Record<string, string | number>;
  /** For the count messages (base.one / base.other). */
  count?: { base: PluralBase; n: number };
}

/** What a form tells the page once its command took effect. */
export type OnDone = (n: Notice) => void;

type Opened = null | 'progress' | 'complete';

/**
 * The buttons of the actions a sheet offers in its status, for an actor allowed to act on
 * it, and the small forms that report progress or complete it.
 */
export function SheetActions({ live, user, sheet, titleId, onDone, focusAfter }: {
  live: LiveClient;
  user: User;
  sheet: SheetRow;
  /** The id of the sheet's title: the buttons' description. */
  titleId: string;
  onDone: OnDone;
  /** Where the focus goes once an action succeeded (its button is gone then). */
  focusAfter: () => void;
}) {
  const { t } = useI18n();
  const { run, busy, outcome, reset } = useCommand(live);
  const [opened, setOpened] = useState<Opened>(null);
  const actions = actionsFor(sheet);
  if (!mayAct(user, sheet) || actions.length === 0) return null;

  const start = async () => {
    if (busy) return;
    if (await run('actionsheets/start-sheet', { sheet_id: sheet.id }, VIEWS)) {
      onDone({ key: 'sheets.done.start', params: { title: sheet.title } });
      focusAfter();
    }
  };
  const open = (which: Opened) => {
    reset();
    setOpened(which);
  };
  const done = (n: Notice) => {
    setOpened(null);
    onDone(n);
    focusAfter();
  };

  return (
    <div class="sheet__actions">
      <ProblemAlert title={t('sheets.action.failed')} outcome={opened ? null : outcome} testid="action-error" focus />
      {opened === null && (
        <div class="sheet__buttons">
          {actions.includes('start') && (
            <button type="button" class="button button--secondary" onClick={start} disabled={busy} data-action="start" aria-describedby={titleId}>
              {busy ? t('form.submitting') : t('sheets.action.start')}
            </button>
          )}
          {actions.includes('progress') && (
            <button type="button" class="button button--secondary" onClick={() => open('progress')} data-action="progress" aria-describedby={titleId}>
              {t('sheets.action.progress')}
            </button>
          )}
          {actions.includes('complete') && (
            <button type="button" class="button button--secondary" onClick={() => open('complete')} data-action="complete" aria-describedby={titleId}>
              {t('sheets.action.complete')}
            </button>
          )}
        </div>
      )}
      {opened === 'progress' && (
        <ProgressForm live={live} sheet={sheet} onCancel={() => setOpened(null)} onDone={done} />
      )}
      {opened === 'complete' && (
        <CompleteForm live={live} sheet={sheet} onCancel={() => setOpened(null)} onDone={done} />
      )}
    </div>
  );
}

function ProgressForm({ live, sheet, onCancel, onDone }: { live: LiveClient; sheet: SheetRow; onCancel: () => void; onDone: OnDone }) {
  const { t } = useI18n();
  const { run, busy, outcome } = useCommand(live);
  const [percent, setPercent] = useState(String(sheet.percent));
  const [comment, setComment] = useState('');
  const [asOf, setAsOf] = useState('');
  const first = useRef<HTMLInputElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const errors = useFieldErrors(outcome, fieldIn(PROGRESS_FIELDS), (rule) => ruleText(t, rule));
  const id = (f: string) => `p-${sheet.id}-${f}`;
  useEffect(() => first.current?.focus(), []);
  useFocusOnFailure(outcome, PROGRESS_FIELDS, errors, (f) => document.getElementById(id(f)), box);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const body: Record<string, unknown> = { sheet_id: sheet.id, comment: comment.trim() };
    // An empty or unreadable figure is sent as missing, for the server to name the field.
    if (percent.trim() !== '' && Number.isFinite(Number(percent))) body.percent = Number(percent);
    if (asOf) body.as_of = asOf;
    if (await run('actionsheets/record-progress', body, VIEWS)) onDone({ key: 'sheets.done.progress', params: { title: sheet.title } });
  };
  return (
    <form class="sheet__form" onSubmit={submit} noValidate aria-busy={busy} aria-label={t('sheets.progressOf', { title: sheet.title })}>
      <ProblemAlert title={t('sheets.action.failed')} outcome={outcome} boxRef={box} testid="action-error" />
      <Field id={id('percent')} label={t('sheets.progress.percent')} required error={errors.percent}>
        <input
          {...controlProps(id('percent'), errors.percent)}
          ref={first}
          name="percent"
          type="number"
          inputMode="numeric"
          min={0}
          max={100}
          step={1}
          required
          value={percent}
          onInput={(e) => setPercent(e.currentTarget.value)}
        />
      </Field>
      <Field id={id('comment')} label={t('sheets.progress.comment')} required error={errors.comment}>
        <textarea
          {...controlProps(id('comment'), errors.comment)}
          name="comment"
          rows={3}
          required
          value={comment}
          onInput={(e) => setComment(e.currentTarget.value)}
        />
      </Field>
      <Field id={id('as_of')} label={t('sheets.progress.asOf')} hint={t('sheets.progress.asOf.hint')} error={errors.as_of}>
        <input
          {...controlProps(id('as_of'), errors.as_of, true)}
          name="as_of"
          type="date"
          value={asOf}
          onInput={(e) => setAsOf(e.currentTarget.value)}
        />
      </Field>
      <FormButtons busy={busy} submit={t('sheets.progress.submit')} onCancel={onCancel} />
    </form>
  );
}

function CompleteForm({ live, sheet, onCancel, onDone }: { live: LiveClient; sheet: SheetRow; onCancel: () => void; onDone: OnDone }) {
  const { t } = useI18n();
  const { run, busy, outcome } = useCommand(live);
  const [comment, setComment] = useState('');
  const first = useRef<HTMLTextAreaElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const errors = useFieldErrors(outcome, fieldIn(['comment']), (rule) => ruleText(t, rule));
  const id = `c-${sheet.id}-comment`;
  useEffect(() => first.current?.focus(), []);
  useFocusOnFailure(outcome, ['comment'], errors, () => first.current, box);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const body: Record<string, string> = { sheet_id: sheet.id };
    if (comment.trim()) body.comment = comment.trim();
    if (await run('actionsheets/complete-sheet', body, VIEWS)) onDone({ key: 'sheets.done.complete', params: { title: sheet.title } });
  };
  return (
    <form class="sheet__form" onSubmit={submit} noValidate aria-busy={busy} aria-label={t('sheets.action.of', { action: t('sheets.action.complete'), title: sheet.title })}>
      <ProblemAlert title={t('sheets.action.failed')} outcome={outcome} boxRef={box} testid="action-error" />
      <Field id={id} label={t('sheets.complete.comment')} error={errors.comment}>
        <textarea
          {...controlProps(id, errors.comment)}
          ref={first}
          name="comment"
          rows={3}
          value={comment}
          onInput={(e) => setComment(e.currentTarget.value)}
        />
      </Field>
      <FormButtons busy={busy} submit={t('sheets.complete.submit')} onCancel={onCancel} />
    </form>
  );
}

const PROGRESS_FIELDS = ['percent', 'comment', 'as_of'] as const;

/** The buttons of a sheet's small forms: send (busy while it runs) and cancel. */
function FormButtons({ busy, submit, onCancel }: { busy: boolean; submit: string; onCancel: () => void }) {
  const { t } = useI18n();
  return (
    <div class="sheet__buttons">
      <SubmitButton busy={busy}>{submit}</SubmitButton>
      <button type="button" class="button button--secondary" onClick={onCancel}>
        {t('sheets.action.cancel')}
      </button>
    </div>
  );
}

type CreateValues = { title: string; description: string; level: string; theme: string; owner: string; due: string; opinion: string };
type CreateField = keyof CreateValues;
const EMPTY: CreateValues = { title: '', description: '', level: '', theme: '', owner: '', due: '', opinion: '' };
/** Form field → the command's JSON field, in the order of the form. */
const CREATE_FIELDS: [CreateField, string][] = [
  ['title', 'title'],
  ['description', 'description'],
  ['level', 'level'],
  ['theme', 'theme'],
  ['owner', 'organisation_id'],
  ['due', 'due_date'],
  ['opinion', 'opinion_id'],
];
const CREATE_ORDER = CREATE_FIELDS.map(([f]) => f);
/** The form field of a JSON field of the command. */
const createField = (name: string) => CREATE_FIELDS.find(([, json]) => json === name)?.[0];

/** An opinion a sheet may name: the opinions view's rows. */
export interface OpinionRef {
  id: string;
  title: string;
}

/** The form that creates one sheet: any owner for the secretariat, its own organisation for a member. */
export function CreateSheetForm({ live, user, orgs, opinions, today, onDone }: {
  live: LiveClient;
  user: User;
  orgs: readonly Organisation[];
  opinions: readonly OpinionRef[];
  today: string;
  onDone: OnDone;
}) {
  const { t } = useI18n();
  const { run, busy, outcome } = useCommand(live);
  const [values, setValues, set] = useValues<CreateValues>(EMPTY);
  const box = useRef<HTMLDivElement>(null);
  const secretariat = user.role === 'secretariat';
  const own = orgs.find((o) => o.id === user.organisation_id);
  const errors = useFieldErrors(outcome, createField, (rule) => ruleText(t, rule));
  // A member's form has no owner field: the alert takes the focus then.
  useFocusOnFailure(outcome, CREATE_ORDER, errors, (f) => document.getElementById(`cs-${f}`), box);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const body: Record<string, string> = {
      title: values.title.trim(),
      level: values.level,
      theme: values.theme,
      organisation_id: secretariat ? values.owner : (user.organisation_id ?? ''),
      due_date: values.due,
    };
    if (values.description.trim()) body.description = values.description.trim();
    if (values.opinion) body.opinion_id = values.opinion;
    if (await run('actionsheets/create-sheet', body, VIEWS)) {
      setValues(EMPTY);
      onDone({ key: 'sheets.done.create', params: { title: body.title! } });
    }
  };
  const sorted = [...orgs].sort((a, b) => (a.acronym || a.name).localeCompare(b.acronym || b.name));
  const { field, control } = bindFields('cs-', values, errors);

  return (
    <form onSubmit={submit} noValidate aria-busy={busy} aria-labelledby="sheets-create-title" data-testid="create-form">
      <p class="form-intro">{t('sheets.create.intro')}</p>
      <ProblemAlert title={t('sheets.create.failed')} outcome={outcome} boxRef={box} testid="create-error" />
      <Field {...field('title')} label={t('sheets.field.title')} required>
        <input {...control('title')} type="text" required maxLength={300} onInput={set('title')} />
      </Field>
      <Field {...field('description')} label={t('sheets.field.description')}>
        <textarea {...control('description')} rows={3} onInput={set('description')} />
      </Field>
      <div class="sheets__pair">
        <Field {...field('level')} label={t('sheets.field.level')} required>
          <select {...control('level')} required onChange={set('level')}>
            <Options none={t('sheets.field.choose')} choices={codeChoices(t, 'sheets.level', LEVELS)} />
          </select>
        </Field>
        <Field {...field('due')} label={t('sheets.field.due')} required>
          <input {...control('due')} type="date" required min={today} onInput={set('due')} />
        </Field>
      </div>
      <Field {...field('theme')} label={t('sheets.field.theme')} required>
        <select {...control('theme')} required onChange={set('theme')}>
          <Options none={t('sheets.field.choose')} choices={codeChoices(t, 'sheets.theme', THEMES)} />
        </select>
      </Field>
      {secretariat ? (
        <Field {...field('owner')} label={t('sheets.field.owner')} required>
          <select {...control('owner')} required onChange={set('owner')}>
            <Options none={t('sheets.field.choose')} choices={orgChoices(sorted)} />
          </select>
        </Field>
      ) : (
        <p class="field__hint sheets__own" data-testid="own-organisation">
          {t('sheets.field.owner.own', { org: own?.acronym || own?.name || '—' })}
        </p>
      )}
      {opinions.length > 0 && (
        <Field {...field('opinion')} label={t('sheets.field.opinion')}>
          <select {...control('opinion')} onChange={set('opinion')}>
            <Options none={t('sheets.field.none')} choices={opinions.map((o) => ({ value: o.id, label: o.title }))} />
          </select>
        </Field>
      )}
      <SubmitButton busy={busy}>{t('sheets.create.submit')}</SubmitButton>
    </form>
  );
}

const MAX_CSV_BYTES = 1 << 20;

/**
 * The CSV import of the secretariat: a file, checked (dry run) or imported, all lines or
 * none; the server's line-numbered problems are listed line by line.
 */
export function ImportSheetsForm({ live, onDone }: { live: LiveClient; onDone: OnDone }) {
  const { t } = useI18n();
  const { run, busy, outcome, reset } = useCommand(live);
  const [mode, setMode] = useState<'check' | 'import'>('import');
  const [local, setLocal] = useState<MessageKey | null>(null);
  const file = useRef<HTMLInputElement>(null);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (local || isFailure(outcome)) box.current?.focus();
  }, [outcome, local]);

  const send = async (which: 'check' | 'import') => {
    if (busy) return;
    setMode(which);
    setLocal(null);
    reset();
    const f = file.current?.files?.[0];
    if (!f) {
      setLocal('sheets.import.noFile');
      return;
    }
    if (f.size > MAX_CSV_BYTES) {
      setLocal('sheets.import.tooBig');
      return;
    }
    const csv = await f.text();
    const res = await run('actionsheets/import-sheets', which === 'check' ? { csv, dry_run: true } : { csv }, VIEWS);
    if (!res) return;
    if (which === 'check') {
      onDone({ key: 'sheets.done.check' });
    } else {
      if (file.current) file.current.value = '';
      onDone({ key: 'sheets.done.import.other', count: { base: 'sheets.done.import', n: res.events.length } });
    }
  };
  const problems = outcome?.kind === 'problem' ? importProblems(outcome.problem.fields) : [];
  const column = (c: string) => ((IMPORT_COLUMNS as readonly string[]).includes(c) ? codeLabel(t, 'sheets.import.col', c) : c);
  const title = mode === 'check' ? t('sheets.import.checkFailed') : t('sheets.import.failed');

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void send('import');
      }}
      noValidate
      aria-busy={busy}
      aria-labelledby="sheets-import-title"
      data-testid="import-form"
    >
      <p class="form-intro">{t('sheets.import.intro')}</p>
      {local && (
        <ErrorAlert title={title} boxRef={box} testid="import-error">
          <p>{t(local)}</p>
        </ErrorAlert>
      )}
      {!local && (
        <ProblemAlert title={title} outcome={outcome} boxRef={box} testid="import-error">
          {problems.length > 0 && (
            <>
              <p>{t('sheets.import.problems', { n: problems.length })}</p>
              <ul class="sheets__problems" data-testid="import-problems">
                {problems.map((p) => (
                  <li key={`${p.line}:${p.column ?? ''}`} data-line={p.line}>
                    {t('sheets.import.problem', {
                      where: p.column
                        ? t('sheets.import.lineColumn', { line: p.line, column: column(p.column) })
                        : t('sheets.import.line', { line: p.line }),
                      rule: ruleText(t, p.rule),
                    })}
                  </li>
                ))}
              </ul>
            </>
          )}
        </ProblemAlert>
      )}
      <Field id="import-file" label={t('sheets.import.file')} hint={t('sheets.import.file.hint')}>
        <input
          ref={file}
          id="import-file"
          name="csv"
          type="file"
          accept=".csv,text/csv"
          aria-describedby="import-file-hint"
          onChange={() => {
            setLocal(null);
            reset();
          }}
        />
      </Field>
      <div class="sheet__buttons">
        <button type="button" class="button button--secondary" disabled={busy} onClick={() => void send('check')} data-testid="import-check">
          {busy && mode === 'check' ? t('form.submitting') : t('sheets.import.check')}
        </button>
        <button type="submit" class="button" disabled={busy} data-testid="import-submit">
          {busy && mode === 'import' ? t('form.submitting') : t('sheets.import.submit')}
        </button>
      </div>
    </form>
  );
}
