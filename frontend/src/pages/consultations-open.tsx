// The secretariat's form that opens a consultation: question, kind and options,
// electorate with weights, quorum, deadline, secret or open ballot, when results show.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  Field,
  Options,
  ProblemAlert,
  SubmitButton,
  SuccessAlert,
  codeChoices,
  controlProps,
  describedBy,
  fieldIn,
  useFieldErrors,
  useFocusOnFailure,
} from '../forms';
import { useCommand } from '../hooks';
import type { LiveClient } from '../live';
import { sortOrganisations } from '../model';
import { href } from '../router';
import { useI18n } from '../ui';
import {
  KINDS,
  type OpenForm,
  createdConsultationId,
  defaultDeadline,
  formField,
  openBody,
} from './consultations-model';
import { useOrgName } from './consultations-shared';

const FIELDS = ['question', 'description', 'kind', 'options', 'max_choices', 'electorate', 'quorum', 'deadline', 'results'] as const;
type FormField = (typeof FIELDS)[number];
/** The form field a field of the server's problem belongs to, if the form shows it. */
const inForm = fieldIn(FIELDS);

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
  const box = useRef<HTMLDivElement>(null);

  // Every organisation votes unless the secretariat says otherwise.
  useEffect(() => {
    if (electorateTouched.current || sorted.length === 0) return;
    setValues((v) => ({ ...v, electorate: Object.fromEntries(sorted.map((o) => [o.id, v.electorate[o.id] ?? '1'])) }));
  }, [sorted]);

  // Each field says what it expects, whatever rule the server named.
  const errors = useFieldErrors(outcome, (name) => inForm(formField(name)), (_, f) => t(`consultations.form.error.${f}`));
  useFocusOnFailure(outcome, FIELDS, errors, (f) => form.current?.querySelector<HTMLElement>(`[data-field="${f}"]`), box);

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

  // What every control of a field carries: its ID, the name the errors focus, its state.
  const control = (f: FormField, hint: boolean) => ({ ...controlProps(`open-${f}`, errors[f], hint), 'data-field': f });
  const field = (f: FormField) => ({ id: `open-${f}`, error: errors[f] });

  return (
    <section class="panel form-panel cons-open" aria-labelledby="open-title">
      <h2 id="open-title">{t('consultations.form.title')}</h2>
      <p class="form-intro">{t('form.intro')}</p>
      <ProblemAlert outcome={outcome} title={t('consultations.form.failed')} testid="cons-error" boxRef={box} />
      {outcome?.kind === 'success' && created && (
        <SuccessAlert testid="cons-open-success">
          {t('consultations.form.success')}{' '}
          <a href={href('consultations', created.id)} data-testid="cons-open-link">
            {created.question}
          </a>
        </SuccessAlert>
      )}
      <form ref={form} onSubmit={onSubmit} noValidate aria-busy={busy} data-testid="cons-open-form">
        <Field {...field('question')} label={t('consultations.form.question')} required>
          <textarea {...control('question', false)} rows={2} required value={values.question} onInput={set('question')} />
        </Field>
        <Field {...field('description')} label={t('consultations.form.description')}>
          <textarea {...control('description', false)} rows={3} value={values.description} onInput={set('description')} />
        </Field>
        <Field {...field('kind')} label={t('consultations.form.kind')}>
          <select {...control('kind', false)} value={values.kind} onChange={set('kind')}>
            <Options choices={codeChoices(t, 'consultations.kind', KINDS)} />
          </select>
        </Field>
        {values.kind !== 'yes_no_abstain' && (
          <Field {...field('options')} label={t('consultations.form.options')} hint={t('consultations.form.options.hint')} required>
            <textarea {...control('options', true)} rows={4} value={values.options} onInput={set('options')} />
          </Field>
        )}
        {values.kind === 'multiple_choice' && (
          <Field {...field('max_choices')} label={t('consultations.form.maxChoices')} hint={t('consultations.form.maxChoices.hint')}>
            <input
              {...control('max_choices', true)}
              type="number"
              min={1}
              inputMode="numeric"
              value={values.max_choices}
              onInput={set('max_choices')}
            />
          </Field>
        )}
        <fieldset
          class={`cons-fieldset${errors.electorate ? ' field--error' : ''}`}
          aria-describedby={describedBy('open-electorate', true, errors.electorate)}
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
                  class="input cons-weight"
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
        <Field {...field('quorum')} label={t('consultations.form.quorum')} hint={t('consultations.form.quorum.hint')}>
          <input
            {...control('quorum', true)}
            type="number"
            min={0}
            max={100}
            inputMode="numeric"
            value={values.quorum}
            onInput={set('quorum')}
          />
        </Field>
        <Field {...field('deadline')} label={t('consultations.form.deadline')} required>
          <input {...control('deadline', false)} type="datetime-local" required value={values.deadline} onInput={set('deadline')} />
        </Field>
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
        <SubmitButton busy={busy} testid="cons-open-submit">{t('consultations.form.submit')}</SubmitButton>
      </form>
    </section>
  );
}
