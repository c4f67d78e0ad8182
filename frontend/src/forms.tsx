// Pieces every form shares: a labelled field with its hint and error, the attributes that
// tie a control to them, the alerts that tell how the last command went, and the mapping
// of a refused command's `fields` to messages next to the fields.
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { type Problem, problemMessage } from './api';
import { type Lang, type Translate, codeLabel, ruleKey } from './i18n';
import { useI18n } from './ui';

/** A command that failed: the server refused it (problem), or it could not be reached. */
export type Failure = { kind: 'problem'; status: number; problem: Problem } | { kind: 'network' };

/**
 * What the alerts read of a form's last outcome: hooks.ts's CommandOutcome, or a form's
 * own with more in its success.
 */
export type Outcome = Failure | { kind: 'success' };

/**
 * The values of a form's text controls (inputs, selects, textareas), and set(name): the
 * handler that copies a control's value into them (onInput, or onChange for a select).
 */
export function useValues<V extends { [K in keyof V]: string }>(initial: V) {
  const [values, setValues] = useState<V>(initial);
  const set = (name: keyof V) => (e: Event) => {
    const v = (e.currentTarget as HTMLInputElement).value;
    setValues((prev) => ({ ...prev, [name]: v }));
  };
  return [values, setValues, set] as const;
}

/** Whether the outcome is a failure, to be shown in an error alert. */
export function isFailure(outcome: Outcome | null | undefined): outcome is Failure {
  return outcome?.kind === 'problem' || outcome?.kind === 'network';
}

/** Why the command failed, in lang: the server's message, else a generic one. */
export function failureText(failure: Failure, lang: Lang, t: Translate): string {
  if (failure.kind === 'network') return t('problem.network');
  return problemMessage(failure.problem, lang) ?? t('problem.unexpected', { status: failure.status });
}

/** The message explaining a validator rule ("required", "max=200"…), else the fallback. */
export function ruleMessage(t: Translate, rule: string, fallback: string): string {
  const key = ruleKey(rule);
  return key ? t(key) : fallback;
}

/**
 * Messages by form field for a refused command's `fields` (server field name → violated
 * rule): field() names the form field a server field belongs to (undefined: the form does
 * not show it), message() explains its rule. The first server field wins a form field.
 */
export function fieldErrors<F extends string>(
  outcome: Outcome | null | undefined,
  field: (name: string) => F | undefined,
  message: (rule: string, field: F) => string,
): Partial<Record<F, string>> {
  const out: Partial<Record<F, string>> = {};
  if (outcome?.kind !== 'problem') return out;
  for (const [name, rule] of Object.entries(outcome.problem.fields ?? {})) {
    const f = field(name);
    if (f !== undefined && out[f] === undefined) out[f] = message(String(rule), f);
  }
  return out;
}

/**
 * fieldErrors, kept while the outcome and the language stay the same (so that an effect
 * may depend on it); field and message must depend on nothing else.
 */
export function useFieldErrors<F extends string>(
  outcome: Outcome | null | undefined,
  field: (name: string) => F | undefined,
  message: (rule: string, field: F) => string,
): Partial<Record<F, string>> {
  const { lang } = useI18n();
  return useMemo(() => fieldErrors(outcome, field, message), [outcome, lang]);
}

/** The field() of fieldErrors for a form whose fields have the server's names. */
export function fieldIn<F extends string>(fields: readonly F[]): (name: string) => F | undefined {
  return (name) => fields.find((f) => f === name);
}

/**
 * On each new failure, moves the focus to the first field of order that has an error (the
 * element control() finds), else to the alert.
 */
export function useFocusOnFailure<F extends string>(
  outcome: Outcome | null | undefined,
  order: readonly F[],
  errors: Partial<Record<F, string>>,
  control: (field: F) => HTMLElement | null | undefined,
  alert: { current: HTMLElement | null },
): void {
  useEffect(() => {
    if (!isFailure(outcome)) return;
    const first = order.find((f) => errors[f]);
    ((first && control(first)) || alert.current)?.focus();
    // Only when a new outcome arrives, not when the language changes.
  }, [outcome]);
}

/** The aria-describedby of a control: its hint and its error, when shown. */
export function describedBy(id: string, hint: boolean, error: string | undefined): string | undefined {
  return [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
}

/** What a control inside a Field carries: its id, whether it is invalid, what describes it. */
export function controlProps(id: string, error: string | undefined, hint = false) {
  return {
    id,
    'aria-invalid': error ? ('true' as const) : undefined,
    'aria-describedby': describedBy(id, hint, error),
  };
}

/**
 * The fields of a form whose ids are prefix + name: field(name) gives a Field its id and
 * error, control(name, hint) its control the controlProps, name and value.
 */
export function bindFields<F extends string>(prefix: string, values: Record<F, string>, errors: Partial<Record<F, string>>) {
  return {
    field: (name: F) => ({ id: `${prefix}${name}`, error: errors[name] }),
    control: (name: F, hint = false) => ({ ...controlProps(`${prefix}${name}`, errors[name], hint), name, value: values[name] }),
  };
}

/**
 * A labelled form field: the label (with a * when required), the hint (id `<id>-hint`),
 * the control given as children (id `<id>`) and the error (id `<id>-error`, data-testid
 * `error-<id>` unless errorTestId says otherwise). See controlProps for the control.
 */
export function Field({
  id,
  label,
  hint,
  required,
  error,
  errorTestId,
  children,
}: {
  id: string;
  label: string;
  hint?: string;
  required?: boolean;
  error?: string;
  errorTestId?: string;
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
        <p class="field__error" id={`${id}-error`} data-testid={errorTestId ?? `error-${id}`}>
          {error}
        </p>
      )}
    </div>
  );
}

/**
 * The error alert of a form whose last command failed: title, then why (the server's
 * message in the reader's language), then children. Nothing otherwise. With focus, it
 * takes the focus when a failure arrives (set it false when a field takes it instead);
 * boxRef lets the form focus it itself.
 */
export function ProblemAlert({
  outcome,
  title,
  testid,
  focus = false,
  boxRef,
  children,
}: {
  outcome: Outcome | null | undefined;
  title: string;
  testid?: string;
  focus?: boolean;
  boxRef?: { current: HTMLDivElement | null };
  children?: ComponentChildren;
}) {
  const { lang, t } = useI18n();
  const own = useRef<HTMLDivElement>(null);
  const ref = boxRef ?? own;
  useEffect(() => {
    if (focus && isFailure(outcome)) ref.current?.focus();
  }, [outcome]);
  if (!isFailure(outcome)) return null;
  return (
    <ErrorAlert title={title} testid={testid} boxRef={ref}>
      <p>{failureText(outcome, lang, t)}</p>
      {children}
    </ErrorAlert>
  );
}

/** An error alert (focusable by the form, through boxRef): its title, then children. */
export function ErrorAlert({
  title,
  testid,
  boxRef,
  children,
}: {
  title: string;
  testid?: string;
  boxRef?: { current: HTMLDivElement | null };
  children: ComponentChildren;
}) {
  return (
    <div class="alert alert--error" role="alert" tabIndex={-1} ref={boxRef} data-testid={testid}>
      <p class="alert__title">{title}</p>
      {children}
    </div>
  );
}

/** A success, announced politely. */
export function SuccessAlert({ testid, children }: { testid?: string; children: ComponentChildren }) {
  return (
    <div class="alert alert--success" role="status" data-testid={testid}>
      <p>{children}</p>
    </div>
  );
}

/**
 * How the last command of a form went: its failure (ProblemAlert, data-testid
 * `<testid>-error`) or, once it succeeded, the success text (`<testid>-success`) if any.
 */
export function OutcomeAlert({
  outcome,
  title,
  success,
  testid,
  focus = true,
}: {
  outcome: Outcome | null | undefined;
  title: string;
  success?: string | null;
  testid: string;
  focus?: boolean;
}) {
  if (outcome?.kind === 'success') return success ? <SuccessAlert testid={`${testid}-success`}>{success}</SuccessAlert> : null;
  return <ProblemAlert outcome={outcome} title={title} testid={`${testid}-error`} focus={focus} />;
}

/** A choice of a select. */
export interface Choice {
  value: string;
  label: string;
}

/** The choices of codes (statuses, themes…), labelled by the messages prefix.code. */
export function codeChoices(t: Translate, prefix: string, codes: readonly string[]): Choice[] {
  return codes.map((c) => ({ value: c, label: codeLabel(t, prefix, c) }));
}

/** The choices of organisations: « acronym — name », or the name alone. */
export function orgChoices(orgs: readonly { id: string; acronym?: string; name: string }[]): Choice[] {
  return orgs.map((o) => ({ value: o.id, label: o.acronym ? `${o.acronym} — ${o.name}` : o.name }));
}

/** The options of a select: the empty value first when none labels it, then the choices. */
export function Options({ none, choices }: { none?: string; choices: readonly Choice[] }) {
  return (
    <>
      {none !== undefined && <option value="">{none}</option>}
      {choices.map((c) => (
        <option key={c.value} value={c.value}>
          {c.label}
        </option>
      ))}
    </>
  );
}

/** A form's submit button: « Envoi en cours… » and disabled while the command runs. */
export function SubmitButton({
  busy,
  secondary = false,
  testid,
  children,
}: {
  busy: boolean;
  secondary?: boolean;
  testid?: string;
  children: ComponentChildren;
}) {
  const { t } = useI18n();
  return (
    <button type="submit" class={secondary ? 'button button--secondary' : 'button'} disabled={busy} data-testid={testid}>
      {busy ? t('form.submitting') : children}
    </button>
  );
}

/**
 * A labelled select of a filter form: « any » (the empty value) first, then the options.
 * The choice applies at once (onChange); testid goes on the select.
 */
export function FilterSelect({
  id,
  label,
  name,
  value,
  any,
  options,
  onChange,
  class: cls,
  testid,
}: {
  id: string;
  label: string;
  name?: string;
  value: string;
  any: string;
  options: readonly Choice[];
  onChange: (e: Event) => void;
  class?: string;
  testid?: string;
}) {
  return (
    <div class={cls ? `field ${cls}` : 'field'}>
      <label for={id}>{label}</label>
      <select id={id} name={name} value={value} onChange={onChange} data-testid={testid}>
        <Options none={any} choices={options} />
      </select>
    </div>
  );
}
