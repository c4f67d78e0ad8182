// Pieces every page shares: the i18n context, the header and footer, the connection
// status and the language switch; facts, status badges and back links (styled by
// components.css). The form pieces are in forms.tsx.
import { createContext, type ComponentChildren } from 'preact';
import { useContext } from 'preact/hooks';
import { type Lang, type MessageKey, LANGS, translate } from './i18n';
import type { LiveStatus } from './live';

export interface I18n {
  lang: Lang;
  t: (key: MessageKey, params?: Record<string, string | number>) => string;
}

export const I18nContext = createContext<I18n>({ lang: 'fr', t: (k, p) => translate('fr', k, p) });

export function useI18n(): I18n {
  return useContext(I18nContext);
}

export function localStore(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

export function SiteHeader({ children }: { children: ComponentChildren }) {
  const { t } = useI18n();
  return (
    <header class="site-header">
      <div class="container site-header__inner">
        <div class="brand">
          <span class="brand__mark" aria-hidden="true">
            C
          </span>
          <span class="brand__text">
            <span class="brand__name">{t('app.name')}</span>
            <span class="brand__tagline">{t('app.tagline')}</span>
          </span>
        </div>
        <div class="site-header__tools">{children}</div>
      </div>
    </header>
  );
}

export function SiteFooter({ position = 0 }: { position?: number }) {
  const { t } = useI18n();
  return (
    <footer class="site-footer">
      <div class="container site-footer__inner">
        <p>{t('footer.about')}</p>
        {position > 0 && <p class="site-footer__position">{t('footer.position', { position })}</p>}
      </div>
    </footer>
  );
}

/** While the server is asked who is signed in (usually a few milliseconds). */
export function ConnectionStatus({ status }: { status: LiveStatus }) {
  const { t } = useI18n();
  return (
    <p class={`status status--${status}`} role="status" aria-live="polite" aria-atomic="true" id="connection-status">
      <span class="status__dot" aria-hidden="true" />
      <span class="visually-hidden">{t('status.label')} : </span>
      <span class="status__text">{t(`status.${status}` as MessageKey)}</span>
    </p>
  );
}

export function LanguageSwitch({ onSwitch }: { onSwitch: (lang: Lang) => void }) {
  const { lang, t } = useI18n();
  const other = LANGS.find((l) => l !== lang)!;
  return (
    <button type="button" class="lang-switch" lang={other} onClick={() => onSwitch(other)} data-testid="lang-switch">
      <svg aria-hidden="true" viewBox="0 0 24 24" width="18" height="18" focusable="false">
        <path
          fill="currentColor"
          d="M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20Zm6.93 6h-2.95a15.7 15.7 0 0 0-1.38-3.56A8.03 8.03 0 0 1 18.93 8ZM12 4.04c.83 1.2 1.48 2.53 1.91 3.96h-3.82c.43-1.43 1.08-2.76 1.91-3.96ZM4.26 14a8.2 8.2 0 0 1 0-4h3.38a16.5 16.5 0 0 0 0 4H4.26Zm.81 2h2.95c.32 1.25.78 2.45 1.38 3.56A8 8 0 0 1 5.07 16Zm2.95-8H5.07A8 8 0 0 1 9.4 4.44 15.7 15.7 0 0 0 8.02 8ZM12 19.96A14.1 14.1 0 0 1 10.09 16h3.82A14.1 14.1 0 0 1 12 19.96ZM14.34 14H9.66a14.7 14.7 0 0 1 0-4h4.68a14.7 14.7 0 0 1 0 4Zm.26 5.56c.6-1.11 1.06-2.31 1.38-3.56h2.95a8.03 8.03 0 0 1-4.33 3.56ZM16.36 14a16.5 16.5 0 0 0 0-4h3.38a8.2 8.2 0 0 1 0 4h-3.38Z"
        />
      </svg>
      <span>{t('lang.switchTo')}</span>
    </button>
  );
}

/**
 * One term and its value in a list of facts (<dl class="facts"> or a page's own), with
 * the item's class if any; testid goes on the value.
 */
export function Fact({
  label,
  testid,
  class: cls,
  children,
}: {
  label: string;
  testid?: string;
  class?: string;
  children: ComponentChildren;
}) {
  return (
    <div class={cls}>
      <dt>{label}</dt>
      <dd data-testid={testid}>{children}</dd>
    </div>
  );
}

/** The colour a status badge takes besides its words: neutral (grey) unless said. */
export type Tone = 'neutral' | 'accent' | 'success' | 'warning' | 'error';

/**
 * A status in words, in a badge whose tone is only a second cue (never colour alone).
 * extra adds a page's own classes; status goes to data-status.
 */
export function StatusBadge({
  tone = 'neutral',
  extra,
  testid,
  status,
  children,
}: {
  tone?: Tone;
  extra?: string;
  testid?: string;
  status?: string;
  children: ComponentChildren;
}) {
  return (
    <span class={`status-badge status-badge--${tone}${extra ? ` ${extra}` : ''}`} data-testid={testid} data-status={status}>
      {children}
    </span>
  );
}

/** The link back to a list, above a detail page: « ← Back to … ». */
export function BackLink({ href, class: cls, children }: { href: string; class: string; children: ComponentChildren }) {
  return (
    <p class={cls}>
      <a href={href}>
        <span aria-hidden="true">← </span>
        {children}
      </a>
    </p>
  );
}

/** A count that screen readers announce when it changes (a polite live region). */
export function LiveCount({
  id,
  testid,
  class: cls,
  children,
}: {
  id?: string;
  testid?: string;
  class?: string;
  children: ComponentChildren;
}) {
  return (
    <p class={cls ? `count ${cls}` : 'count'} id={id} aria-live="polite" aria-atomic="true" data-testid={testid}>
      {children}
    </p>
  );
}

/**
 * A table in a scrollable region named by the heading titleId, described by its count
 * (countId): a header cell per column, then the rows given as children.
 */
export function DataTable({
  titleId,
  countId,
  labelled = false,
  columns,
  children,
}: {
  titleId: string;
  countId: string;
  /** Whether the table itself is named by the heading too. */
  labelled?: boolean;
  columns: readonly string[];
  children: ComponentChildren;
}) {
  return (
    <div class="table-wrap" role="region" aria-labelledby={titleId} tabIndex={0}>
      <table class="table" aria-labelledby={labelled ? titleId : undefined} aria-describedby={countId}>
        <thead>
          <tr>
            {columns.map((c, i) => (
              <th scope="col" key={i}>
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
