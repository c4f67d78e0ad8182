// Small pieces the action sheets page shares: dates in the reader's locale, today's date
// (which moves at midnight), what the server's rules mean, the notice and the badges.
import { useEffect, useState } from 'preact/hooks';
import type { Organisation } from '../api';
import { type Lang, type MessageKey, type Translate, TABLES, codeLabel, plural } from '../i18n';
import type { LiveClient } from '../live';
import { href } from '../router';
import type { User } from '../session';
import { Fact, StatusBadge, type Tone, useI18n } from '../ui';
import type { Notice, OnDone, OpinionRef } from './sheets-forms';
import { type SheetRow, civilDate, isOverdue, localToday, msUntilTomorrow, ruleName } from './sheets-model';

/** What the board and a sheet's page give each sheet they show. */
export interface SheetProps {
  live: LiveClient;
  user: User;
  sheet: SheetRow;
  orgs: ReadonlyMap<string, Organisation>;
  opinions: ReadonlyMap<string, OpinionRef>;
  today: string;
  onDone: OnDone;
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
export function ruleText(t: Translate, rule: string): string {
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

/** The page's announcement of the last success (a polite live region, present from the start). */
export function NoticeRegion({ notice }: { notice: Notice | null }) {
  const { lang, t } = useI18n();
  const text = notice && (notice.count ? plural(lang, notice.count.base, notice.count.n) : t(notice.key, notice.params));
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

/** The tone of each status's badge (an abandoned sheet's is struck through, see sheets.css). */
const TONES: Record<string, Tone> = { in_progress: 'accent', done: 'success' };

/** A sheet's status and, when it applies, the overdue flag: words, with colour as a help only. */
export function SheetBadges({ sheet, today }: { sheet: SheetRow; today: string }) {
  const { t } = useI18n();
  return (
    <p class="sheet__badges">
      <span class="visually-hidden">{t('sheets.statusLabel')} </span>
      <StatusBadge tone={TONES[sheet.status]} extra={`sheet-status sheet-status--${sheet.status}`} testid="sheet-status">
        {codeLabel(t, 'sheets.status', sheet.status)}
      </StatusBadge>
      {isOverdue(sheet, today) && (
        <StatusBadge tone="error" extra="sheet-overdue" testid="sheet-overdue">
          <span aria-hidden="true">⚠ </span>
          {t('sheets.overdue')}
        </StatusBadge>
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

// The facts a sheet's card and its page both show (in a <dl class="sheet__facts">).

/** When the sheet is due. */
export function DueFact({ sheet }: { sheet: SheetRow }) {
  const { lang, t } = useI18n();
  return (
    <Fact label={t('sheets.due')}>
      <time dateTime={sheet.due_date} data-testid="sheet-due">
        {formatCivil(lang, sheet.due_date)}
      </time>
    </Fact>
  );
}

/** The sheet's theme, on a line of its own. */
export function ThemeFact({ sheet }: { sheet: SheetRow }) {
  const { t } = useI18n();
  return (
    <Fact label={t('sheets.theme')} class="sheet__wide">
      {codeLabel(t, 'sheets.theme', sheet.theme)}
    </Fact>
  );
}

/** How far the sheet has come. */
export function ProgressFact({ sheet, wide = false }: { sheet: SheetRow; wide?: boolean }) {
  const { t } = useI18n();
  return (
    <Fact label={t('sheets.progress')} class={wide ? 'sheet__wide' : undefined} testid="sheet-percent">
      <ProgressFigure percent={sheet.percent} />
    </Fact>
  );
}

/** The opinion the sheet carries out, if it names one (linked when the reader may see it). */
export function OpinionFact({ sheet, opinions }: { sheet: SheetRow; opinions: ReadonlyMap<string, OpinionRef> }) {
  const { t } = useI18n();
  if (!sheet.opinion_id) return null;
  const opinion = opinions.get(sheet.opinion_id);
  return (
    <Fact label={t('sheets.opinion')} class="sheet__wide">
      {opinion ? <a href={href('opinions', opinion.id)}>{opinion.title}</a> : t('sheets.opinion.unavailable')}
    </Fact>
  );
}
