// The page: the sign-in page until someone is signed in, then the committee, its member
// organisations (live) and, for the secretariat, a form to add one.
import { type ComponentChildren } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { type Committee, type Organisation } from './api';
import { useLiveStatus, useLiveView } from './hooks';
import { type Lang, type MessageKey, loadLang, saveLang, translate } from './i18n';
import type { LiveClient, ViewState } from './live';
import { roleLabel } from './model';
import { type Theme, loadTheme, saveTheme, systemPrefersDark } from './theme';
import { PAGES, PAGE_ROLES, href, useRoute, type Page } from './router';
import { ConsultationsPage } from './pages/consultations';
import { DashboardPage } from './pages/dashboard';
import { GroupsPage } from './pages/groups';
import { OpinionsPage } from './pages/opinions';
import type { PageProps } from './pages/page';
import { SheetsPage } from './pages/sheets';
import { TimelinePage } from './pages/timeline';
import { AuditPage } from './pages/audit';
import { NotificationCenter } from './notifications-ui';
import { type Session, type SessionState, type User } from './session';
import { ConnectionStatus, I18nContext, LanguageSwitch, SiteFooter, SiteHeader, localStore, useI18n, type I18n } from './ui';
import { SignInPage } from './signin';
import { CommitteeSummary, OrganisationsSection, AddOrganisationForm } from './organisations';

/**
 * The whole page: the sign-in page while nobody is signed in, the committee workspace
 * once someone is. connect opens the live connection; it is called on sign-in and the
 * client it returns is closed on sign-out (or when the session ends).
 */
export function App({ session, connect }: { session: Session; connect: () => LiveClient }) {
  const [lang, setLang] = useState<Lang>(() => loadLang(localStore()));
  const i18n = useMemo<I18n>(() => ({ lang, t: (k, p) => translate(lang, k, p) }), [lang]);
  const state = useSessionState(session);
  const user = state.status === 'signed-in' ? state.user : null;
  const userId = user?.id ?? null;
  // One live connection per signed-in session: none before sign-in, a fresh one after.
  const live = useMemo(() => (userId ? connect() : null), [userId, connect]);
  useEffect(() => () => live?.close(), [live]);

  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  const switchLang = useCallback((next: Lang) => {
    saveLang(localStore(), next);
    setLang(next);
  }, []);

  const onSignOut = useCallback(() => {
    // Close the socket first: the server would otherwise drop it and the client would
    // take the refusal for an expired session.
    live?.close();
    void session.signOut();
  }, [live, session]);

  // After a change of page (not at the first paint), move the focus into the new page so
  // that keyboard and screen reader users start from its top.
  const previous = useRef(state.status);
  useEffect(() => {
    const before = previous.current;
    previous.current = state.status;
    if (before === 'checking' || before === state.status) return;
    const target = document.querySelector<HTMLElement>('[data-autofocus]') ?? document.getElementById('main');
    target?.focus();
  }, [state.status]);

  let page: ComponentChildren;
  if (state.status === 'signed-in' && user && live) {
    page = <Workspace live={live} user={user} onSignOut={onSignOut} onSwitchLang={switchLang} />;
  } else if (state.status === 'signed-out') {
    page = <SignInPage session={session} reason={state.reason} onSwitchLang={switchLang} />;
  } else {
    page = <Checking onSwitchLang={switchLang} />;
  }

  return (
    <I18nContext.Provider value={i18n}>
      <a class="skip-link" href="#main">
        {i18n.t('app.skip')}
      </a>
      <div class="tricolour" aria-hidden="true">
        <span />
        <span />
        <span />
      </div>
      {page}
    </I18nContext.Provider>
  );
}

function useSessionState(session: Session): SessionState {
  const [state, setState] = useState<SessionState>(session.state);
  useEffect(() => session.subscribe(setState), [session]);
  return state;
}

function Checking({ onSwitchLang }: { onSwitchLang: (lang: Lang) => void }) {
  const { lang, t } = useI18n();
  useEffect(() => {
    document.title = t('app.name');
  }, [lang]);
  return (
    <>
      <SiteHeader>
        <LanguageSwitch onSwitch={onSwitchLang} />
      </SiteHeader>
      <main id="main" tabIndex={-1}>
        <div class="container">
          <p class="checking" role="status">
            {t('app.loading')}
          </p>
        </div>
      </main>
      <SiteFooter />
    </>
  );
}

const PAGE_COMPONENTS: Record<Exclude<Page, 'organisations'>, (p: PageProps) => ComponentChildren> = {
  dashboard: DashboardPage,
  groups: GroupsPage,
  opinions: OpinionsPage,
  consultations: ConsultationsPage,
  sheets: SheetsPage,
  timeline: TimelinePage,
  audit: AuditPage,
};

/** The workspace of a signed-in user, fed by a started LiveClient: navigation and the page of the route. */
function Workspace({
  live,
  user,
  onSignOut,
  onSwitchLang,
}: {
  live: LiveClient;
  user: User;
  onSignOut: () => void;
  onSwitchLang: (lang: Lang) => void;
}) {
  const { lang, t } = useI18n();
  const status = useLiveStatus(live);
  const route = useRoute();
  const committeeView = useLiveView<Committee>(live, 'committee');
  const orgsView = useLiveView<Organisation>(live, 'organisations');
  const committee = committeeView.items.find((c) => c.id) ?? null;

  useEffect(() => {
    const page = t(`nav.${route.page}` as MessageKey);
    document.title = committee?.name ? `${page} — ${t('app.documentTitle', { committee: committee.name })}` : t('app.name');
  }, [lang, committee?.name, route.page]);

  // A new page takes the focus, so that keyboard and screen reader users start at its top.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const target = document.querySelector<HTMLElement>('[data-autofocus]') ?? document.getElementById('main');
    target?.focus();
  }, [route.page, route.id, route.sub]);

  const position = Math.max(committeeView.position, orgsView.position);
  let content: ComponentChildren;
  if (route.page === 'organisations') {
    content = (
      <>
        <CommitteeSummary view={committeeView} committee={committee} organisations={orgsView} />
        <div class="container">
          <div class="layout">
            <OrganisationsSection view={orgsView} />
            {user.role === 'secretariat' ? <AddOrganisationForm live={live} /> : <ReadOnlyNote />}
          </div>
        </div>
      </>
    );
  } else {
    const Component = PAGE_COMPONENTS[route.page];
    content = <Component live={live} user={user} id={route.id} sub={route.sub} />;
  }

  return (
    <>
      <SiteHeader>
        <ConnectionStatus status={status} />
        <NotificationCenter live={live} user={user} />
        <Account user={user} organisations={orgsView} onSignOut={onSignOut} />
        <ThemeSwitch />
        <LanguageSwitch onSwitch={onSwitchLang} />
      </SiteHeader>
      <nav class="workspace-nav" aria-label={t('nav.label')} data-testid="workspace-nav">
        <div class="container">
          <ul>
            {PAGES.filter((p) => !PAGE_ROLES[p] || PAGE_ROLES[p]!.includes(user.role)).map((p) => (
              <li key={p}>
                <a href={href(p)} aria-current={route.page === p ? 'page' : undefined} data-nav={p}>
                  {t(`nav.${p}` as MessageKey)}
                </a>
              </li>
            ))}
          </ul>
        </div>
      </nav>
      <main id="main" tabIndex={-1} data-page={route.page}>
        {content}
      </main>
      <SiteFooter position={position} />
    </>
  );
}

/** Switches between light and dark (the first choice follows the system's). */
function ThemeSwitch() {
  const { t } = useI18n();
  const [theme, setTheme] = useState<Theme>(() => loadTheme(localStore(), systemPrefersDark()));
  const toggle = () => {
    const next: Theme = theme === 'dark' ? 'light' : 'dark';
    saveTheme(localStore(), next);
    setTheme(next);
  };
  return (
    <button
      type="button"
      class="button button--secondary theme-switch"
      aria-pressed={theme === 'dark'}
      onClick={toggle}
      data-testid="theme-switch"
    >
      {t('theme.dark')}
    </button>
  );
}

function Account({
  user,
  organisations,
  onSignOut,
}: {
  user: User;
  organisations: ViewState<Organisation>;
  onSignOut: () => void;
}) {
  const { lang, t } = useI18n();
  const org = user.organisation_id ? organisations.items.find((o) => o.id === user.organisation_id) : undefined;
  const role = roleLabel(lang, user.role);
  return (
    <div class="account">
      <p class="account__who" data-testid="account">
        <span class="visually-hidden">{t('account.label')} </span>
        <span class="account__name" data-testid="account-name">
          {user.name}
        </span>
        <span class="account__role" data-testid="account-role">
          {org?.acronym ? `${role} · ${org.acronym}` : role}
        </span>
      </p>
      <button type="button" class="button button--secondary" onClick={onSignOut} data-testid="sign-out">
        {t('account.signOut')}
      </button>
    </div>
  );
}

function ReadOnlyNote() {
  const { t } = useI18n();
  return (
    <section class="panel form-panel add-org" aria-labelledby="read-only-title">
      <h2 id="read-only-title">{t('form.readOnly.title')}</h2>
      <p class="form-intro">{t('form.readOnly')}</p>
    </section>
  );
}
