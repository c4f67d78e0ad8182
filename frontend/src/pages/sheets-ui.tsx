// Small pieces the action sheets page shares: labels of codes, dates in the reader's
// locale, today's date (which moves at midnight), form fields and the problem box.
import type { ComponentChildren, Ref } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { type Problem, problemMessage } from '../api';
import type { CommandOutcome } from '../hooks';
import { type Lang, type MessageKey, TABLES, translate } from '../i18n';
import { useI18n } from '../ui';
import type { Notice } from './sheets-forms';
import { type SheetRow, civilDate, isOverdue, localToday, msUntilTomorrow, ruleName } from './sheets-model';

type T = (key: MessageKey, params?: Record<string, string | number>) => string;

/** The message of key prefix + code, or the code itself when this build does not know it. */
export function codeLabel(t: T, prefix: string, code: string): string {
  const key = `${prefix}.${code}`;
  return key in TABLES.fr ? t(key as MessageKey) : code;
}

/** A count message base.one / base.other fitting n in lang, with {n} and other params. */
export function countText(lang: Lang, base: string, n: number, params: Record<string, string | number> = {}): string {
  const form = new Intl.PluralRules(lang).select(n) === 'one' ? 'one' : 'other';
  return translate(lang, `${base}.${form}` as MessageKey, { ...params, n });
}

/** A civil date (YYYY-MM-DD) in lang's long form, e.g. « 5 mars 2026 »; the text as is if malformed. */
export function formatCivil(lang: Lang, s: string | undefined): string {
  const d = civilDate(s);
  return d ? new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeZone: 'UTC' }).format(d) : (s ?? '');
}

/** An instant (RFC 3339) as a date and time in the reader's zone. */
export function formatInstant(lang: Lang, s: string | undefined): string {
  const d = s ? new Date(s) : undefined;
  return d && !Number.isNaN(d.getTime()) ? new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(d) : '';
}

/** A percentage in lang, e.g. « 25 % » or "25%". */
export function formatPercent(lang: Lang, n: number): string {
  return new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 0 }).format(n / 100);
}

/** The reader's date today, re-rendering at midnight (when sheets may become overdue). */
export function useToday(): string {
  const [today, setToday] = useState(() => localToday());
  useEffect(() => {
    const timer = setTimeout(() => setToday(localToday()), msUntilTomorrow());
    return () => clearTimeout(timer);
  }, [today]);
  return today;
}

/** What a validation rule the server named means, in the reader's language. */
export function ruleText(t: T, rule: string): string {
  const name = ruleName(rule);
  const key =
    {
      notblank: 'required',
      datetime: 'date',
      date_in_past: 'future',
      lte: 'max',
      gte: 'min',
    }[name] ?? name;
  return `sheets.rule.${key}` in TABLES.fr ? t(`sheets.rule.${key}` as MessageKey) : t('sheets.rule.other', { rule });
}

/** Field name → message, for the fields of a refused command the form shows. */
export function fieldErrors(outcome: CommandOutcome | null, t: T, known: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (outcome?.kind !== 'problem' || !outcome.problem.fields) return out;
  for (const [field, rule] of Object.entries(outcome.problem.fields)) {
    if (known.includes(field)) out[field] = ruleText(t, String(rule));
  }
  return out;
}

/** The box telling why a command failed: the server's message in the reader's language. */
export function ProblemBox({
  title,
  outcome,
  testid,
  boxRef,
  children,
}: {
  title: string;
  outcome: CommandOutcome | null;
  testid?: string;
  boxRef?: Ref<HTMLDivElement>;
  children?: ComponentChildren;
}) {
  const { lang, t } = useI18n();
  if (outcome?.kind !== 'problem' && outcome?.kind !== 'network') return null;
  return (
    <div class="alert alert--error" role="alert" tabIndex={-1} ref={boxRef} data-testid={testid}>
      <p class="alert__title">{title}</p>
      {outcome.kind === 'network' ? <p>{t('sheets.action.network')}</p> : <p>{message(outcome.problem, outcome.status, lang, t)}</p>}
      {children}
    </div>
  );
}

function message(p: Problem, status: number, lang: Lang, t: T): string {
  return problemMessage(p, lang) ?? t('sheets.action.unexpected', { status });
}

/** A labelled form field with its hint and error, tied to the control by ids. */
export function Field({
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
        <p class="field__error" id={`${id}-error`} data-testid={`error-${id}`}>
          {error}
        </p>
      )}
    </div>
  );
}

/** The aria-describedby of a control: its hint and its error, when shown. */
export function describedBy(id: string, hint: boolean, error: string | undefined): string | undefined {
  return [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
}

/** The page's announcement of the last success (a polite live region, present from the start). */
export function NoticeRegion({ notice }: { notice: Notice | null }) {
  const { lang, t } = useI18n();
  const text = notice && (notice.count ? countText(lang, notice.count.base, notice.count.n) : t(notice.key, notice.params));
  return (
    <div class="sheets__notice" role="status" aria-live="polite" aria-atomic="true">
      {text && (
        <p class="alert alert--success" data-testid="sheets-notice">
          {text}
        </p>
      )}
    </div>
  );
}

/** A sheet's status and, when it applies, the overdue flag: words, with colour as a help only. */
export function SheetBadges({ sheet, today }: { sheet: SheetRow; today: string }) {
  const { t } = useI18n();
  return (
    <p class="sheet__badges">
      <span class="visually-hidden">{t('sheets.statusLabel')} </span>
      <span class={`sheet-status sheet-status--${sheet.status}`} data-testid="sheet-status">
        {codeLabel(t, 'sheets.status', sheet.status)}
      </span>
      {isOverdue(sheet, today) && (
        <span class="sheet-overdue" data-testid="sheet-overdue">
          <span aria-hidden="true">⚠ </span>
          {t('sheets.overdue')}
        </span>
      )}
    </p>
  );
}

/** The progress figure in words, with a bar that only repeats it. */
export function ProgressFigure({ percent }: { percent: number }) {
  const { lang } = useI18n();
  const p = Math.max(0, Math.min(100, percent));
  return (
    <span class="sheet__progress">
      <span>{formatPercent(lang, p)}</span>
      <span class="sheet__bar" aria-hidden="true">
        <span style={{ width: `${p}%` }} />
      </span>
    </span>
  );
}
