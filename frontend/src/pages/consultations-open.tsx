// The secretariat's form that opens a consultation: question, kind and options,
// electorate with weights, quorum, deadline, secret or open ballot, when results show.
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useCommand } from '../hooks';
import type { MessageKey } from '../i18n';
import type { LiveClient } from '../live';
import { sortOrganisations } from '../model';
import { href } from '../router';
import { useI18n } from '../ui';
import { Failure } from './consultations-ballot';
import { KINDS, type Kind, type OpenForm, createdConsultationId, defaultDeadline, formField, openBody } from './consultations-model';
import { useOrgName } from './consultations-shared';

type Field = 'question' | 'description' | 'kind' | 'options' | 'max_choices' | 'electorate' | 'quorum' | 'deadline' | 'results';
const FIELDS: Field[] = ['question', 'description', 'kind', 'options', 'max_choices', 'electorate', 'quorum', 'deadline', 'results'];

function emptyForm(): OpenForm {
  return {
    question: '',
    description: '',
    kind: 'yes_no_abstain',
    options: '',
    max_choices: '',
    electorate: {},
    quorum: '0',
    deadline: defaultDeadline(new Date()),
    secret: false,
    results: 'at_close',
  };
}

export function OpenConsultationForm({ live }: { live: LiveClient }) {
  const { lang, t } = useI18n();
  const { run, busy, outcome } = useCommand(live);
  const orgs = useOrgName(live);
  const sorted = useMemo(() => sortOrganisations(orgs.orgs, lang), [orgs.orgs, lang]);
  const [values, setValues] = useState<OpenForm>(emptyForm);
  const [created, setCreated] = useState<{ id: string; question: string } | null>(null);
  const electorateTouched = useRef(false);
  const form = useRef<HTMLFormElement>(null);

  // Every organisation votes unless the secretariat says otherwise.
  useEffect(() => {
    if (electorateTouched.current || sorted.length === 0) return;
    setValues((v) => ({ ...v, electorate: Object.fromEntries(sorted.map((o) => [o.id, v.electorate[o.id] ?? '1'])) }));
  }, [sorted]);

  const errors = useMemo(() => {
    const out: Partial<Record<Field, string>> = {};
    if (outcome?.kind !== 'problem' || !outcome.problem.fields) return out;
    for (const name of Object.keys(outcome.problem.fields)) {
      const f = formField(name) as Field;
      if (FIELDS.includes(f)) out[f] = t(`consultations.form.error.${f}` as MessageKey);
    }
    return out;
  }, [outcome, t]);

  useEffect(() => {
    const first = FIELDS.find((f) => errors[f]);
    if (first) form.current?.querySelector<HTMLElement>(`[data-field="${first}"]`)?.focus();
  }, [errors]);

  const set = (name: keyof OpenForm) => (e: Event) => {
    const el = e.currentTarget as HTMLInputElement;
    const v = el.type === 'checkbox' ? el.checked : el.value;
    setValues((prev) => ({ ...prev, [name]: v }));
  };

  const toggleVoter = (id: string, on: boolean) => {
    electorateTouched.current = true;
    setValues((prev) => {
      const electorate = { ...prev.electorate };
      if (on) electorate[id] = electorate[id] ?? '1';
      else delete electorate[id];
      return { ...prev, electorate };
    });
  };

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setCreated(null);
    const body = openBody(values);
    const res = await run('consultations/open-consultation', body, ['consultations']);
    if (!res) return;
    const id = createdConsultationId(res.events);
    if (id) setCreated({ id, question: body.question as string });
    setValues((prev) => ({ ...emptyForm(), electorate: prev.electorate }));
  };

  const described = (f: Field, hint: boolean) =>
    [hint ? `open-${f}-hint` : '', errors[f] ? `open-${f}-error` : ''].filter(Boolean).join(' ') || undefined;
  // What every control of a field carries: its ID, the name the errors focus, its state.
  const control = (f: Field, hint: boolean) => ({
    id: `open-${f}`,
    'data-field': f,
    'aria-invalid': errors[f] ? ('true' as const) : undefined,
    'aria-describedby': described(f, hint),
  });

  return (
    <section class="panel form-panel cons-open" aria-labelledby="open-title">
      <h2 id="open-title">{t('consultations.form.title')}</h2>
      <p class="form-intro">{t('form.intro')}</p>
      <Failure outcome={outcome} title={t('consultations.form.failed')} />
      {outcome?.kind === 'success' && created && (
        <div class="alert alert--success" role="status" data-testid="cons-open-success">
          <p>
            {t('consultations.form.success')}{' '}
            <a href={href('consultations', created.id)} data-testid="cons-open-link">
              {created.question}
            </a>
          </p>
        </div>
      )}
      <form ref={form} onSubmit={onSubmit} noValidate aria-busy={busy} data-testid="cons-open-form">
        <Row id="open-question" label={t('consultations.form.question')} required error={errors.question} field="question">
          <textarea {...control('question', false)} rows={2} required value={values.question} onInput={set('question')} />
        </Row>
        <Row id="open-description" label={t('consultations.form.description')} error={errors.description} field="description">
          <textarea {...control('description', false)} rows={3} value={values.description} onInput={set('description')} />
        </Row>
        <Row id="open-kind" label={t('consultations.form.kind')} error={errors.kind} field="kind">
          <select {...control('kind', false)} value={values.kind} onChange={set('kind')}>
            {KINDS.map((k: Kind) => (
              <option key={k} value={k}>
                {t(`consultations.kind.${k}`)}
              </option>
            ))}
          </select>
        </Row>
        {values.kind !== 'yes_no_abstain' && (
          <Row
            id="open-options"
            label={t('consultations.form.options')}
            hint={t('consultations.form.options.hint')}
            required
            error={errors.options}
            field="options"
          >
            <textarea {...control('options', true)} rows={4} value={values.options} onInput={set('options')} />
          </Row>
        )}
        {values.kind === 'multiple_choice' && (
          <Row
            id="open-max_choices"
            label={t('consultations.form.maxChoices')}
            hint={t('consultations.form.maxChoices.hint')}
            error={errors.max_choices}
            field="max_choices"
          >
            <input
              {...control('max_choices', true)}
              type="number"
              min={1}
              inputMode="numeric"
              value={values.max_choices}
              onInput={set('max_choices')}
            />
          </Row>
        )}
        <fieldset
          class={`cons-fieldset${errors.electorate ? ' field--error' : ''}`}
          aria-describedby={described('electorate', true)}
        >
          <legend>{t('consultations.form.electorate')}</legend>
          <p class="field__hint" id="open-electorate-hint">
            {t('consultations.form.electorate.hint')}
          </p>
          {sorted.map((o, i) => {
            const on = o.id in values.electorate;
            return (
              <div class="cons-voter" key={o.id}>
                <input
                  id={`open-voter-${o.id}`}
                  type="checkbox"
                  data-field={i === 0 ? 'electorate' : undefined}
                  checked={on}
                  onChange={(e) => toggleVoter(o.id, (e.currentTarget as HTMLInputElement).checked)}
                />
                <label for={`open-voter-${o.id}`}>{o.acronym || o.name}</label>
                <label class="visually-hidden" for={`open-weight-${o.id}`}>
                  {t('consultations.form.weightOf', { org: o.acronym || o.name })}
                </label>
                <input
                  id={`open-weight-${o.id}`}
                  class="cons-weight"
                  type="number"
                  min={1}
                  max={1000}
                  inputMode="numeric"
                  disabled={!on}
                  value={values.electorate[o.id] ?? '1'}
                  onInput={(e) => {
                    const w = (e.currentTarget as HTMLInputElement).value;
                    setValues((prev) => ({ ...prev, electorate: { ...prev.electorate, [o.id]: w } }));
                  }}
                />
              </div>
            );
          })}
          {errors.electorate && (
            <p class="field__error" id="open-electorate-error">
              {errors.electorate}
            </p>
          )}
        </fieldset>
        <Row
          id="open-quorum"
          label={t('consultations.form.quorum')}
          hint={t('consultations.form.quorum.hint')}
          error={errors.quorum}
          field="quorum"
        >
          <input
            {...control('quorum', true)}
            type="number"
            min={0}
            max={100}
            inputMode="numeric"
            value={values.quorum}
            onInput={set('quorum')}
          />
        </Row>
        <Row id="open-deadline" label={t('consultations.form.deadline')} required error={errors.deadline} field="deadline">
          <input {...control('deadline', false)} type="datetime-local" required value={values.deadline} onInput={set('deadline')} />
        </Row>
        <fieldset class="cons-fieldset">
          <legend>{t('consultations.form.results')}</legend>
          {(['at_close', 'live'] as const).map((r) => (
            <div class="cons-choice-row" key={r}>
              <input
                id={`open-results-${r}`}
                type="radio"
                name="open-results"
                value={r}
                checked={values.results === r}
                onChange={() => setValues((p) => ({ ...p, results: r }))}
              />
              <label for={`open-results-${r}`}>{t(`consultations.form.results.${r}`)}</label>
            </div>
          ))}
        </fieldset>
        <div class="cons-choice-row cons-secret">
          <input id="open-secret" type="checkbox" checked={values.secret} onChange={set('secret')} aria-describedby="open-secret-hint" />
          <label for="open-secret">{t('consultations.form.secret')}</label>
          <p class="field__hint" id="open-secret-hint">
            {t('consultations.form.secret.hint')}
          </p>
        </div>
        <button type="submit" class="button" disabled={busy} data-testid="cons-open-submit">
          {busy ? t('form.submitting') : t('consultations.form.submit')}
        </button>
      </form>
    </section>
  );
}

function Row({
  id,
  field,
  label,
  hint,
  required,
  error,
  children,
}: {
  id: string;
  field: Field;
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
        <p class="field__hint" id={`open-${field}-hint`}>
          {hint}
        </p>
      )}
      {children}
      {error && (
        <p class="field__error" id={`open-${field}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}
