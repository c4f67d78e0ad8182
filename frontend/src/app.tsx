// The page: the sign-in page until someone is signed in, then the committee, its member
// organisations (live) and, for the secretariat, a form to add one.
import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  type Committee,
  type Organisation,
  type Problem,
  ProblemError,
  newIdempotencyKey,
  postCommand,
  problemMessage,
  readView,
} from './api';
import {
  type Lang,
  type MessageKey,
  LANGS,
  kindKey,
  loadLang,
  plural,
  ruleKey,
  saveLang,
  translate,
} from './i18n';
import type { LiveClient, LiveRow, LiveStatus, ViewState } from './live';
import { personaLabel, roleLabel, safeWebsite, sortOrganisations, waitText, websiteLabel } from './model';
import {
  type OidcError,
  type OidcProvider,
  type Persona,
  type Session,
  type SessionState,
  type SignInFailure,
  type SignedOutReason,
  type User,
  fetchOidcProvider,
  fetchPersonas,
  signInFailure,
  sortPersonas,
  takeSignInError,
} from './session';

interface I18n {
  lang: Lang;
  t: (key: MessageKey, params?: Record<string, string | number>) => string;
}

const I18nContext = createContext<I18n>({ lang: 'fr', t: (k, p) => translate('fr', k, p) });

function useI18n(): I18n {
  return useContext(I18nContext);
}

function localStore(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

function useLiveView<T extends LiveRow>(live: LiveClient, view: string): ViewState<T> {
  const [state, setState] = useState<ViewState<T>>(() => live.view<T>(view));
  useEffect(() => live.subscribe<T>(view, setState), [live, view]);
  return state;
}

function useLiveStatus(live: LiveClient): LiveStatus {
  const [status, setStatus] = useState<LiveStatus>(live.status);
  useEffect(() => live.onStatus(setStatus), [live]);
  return status;
}

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

function SiteHeader({ children }: { children: ComponentChildren }) {
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

function SiteFooter({ position = 0 }: { position?: number }) {
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

/** The committee page of a signed-in user, fed by a started LiveClient. */
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
  const committeeView = useLiveView<Committee>(live, 'committee');
  const orgsView = useLiveView<Organisation>(live, 'organisations');
  const committee = committeeView.items.find((c) => c.id) ?? null;

  useEffect(() => {
    document.title = committee?.name ? t('app.documentTitle', { committee: committee.name }) : t('app.name');
  }, [lang, committee?.name]);

  const position = Math.max(committeeView.position, orgsView.position);

  return (
    <>
      <SiteHeader>
        <ConnectionStatus status={status} />
        <Account user={user} organisations={orgsView} onSignOut={onSignOut} />
        <LanguageSwitch onSwitch={onSwitchLang} />
      </SiteHeader>
      <main id="main" tabIndex={-1}>
        <CommitteeSummary view={committeeView} committee={committee} organisations={orgsView} />
        <div class="container">
          <div class="layout">
            <OrganisationsSection view={orgsView} />
            {user.role === 'secretariat' ? <AddOrganisationForm live={live} /> : <ReadOnlyNote />}
          </div>
        </div>
      </main>
      <SiteFooter position={position} />
    </>
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
    <section class="panel add-org" aria-labelledby="read-only-title">
      <h2 id="read-only-title">{t('form.readOnly.title')}</h2>
      <p class="form-intro">{t('form.readOnly')}</p>
    </section>
  );
}

type Failure = SignInFailure | { kind: 'missing' };

const NOTICES: Partial<Record<SignedOutReason, MessageKey>> = {
  expired: 'signin.expired',
  'signed-out': 'signin.signedOut',
  unreachable: 'signin.unreachable',
};

/**
 * The error the OpenID Connect callback sent the browser back with, taken out of the
 * address bar at once so that a reload or a bookmark does not show it again.
 */
function takeOidcError(): OidcError | null {
  const taken = takeSignInError(window.location.href);
  if (!taken) return null;
  window.history.replaceState(window.history.state, '', taken.cleanHref);
  return taken.error;
}

/**
 * The sign-in page: email and password, the OpenID Connect provider's button when the
 * server has one, and the demo tour's one-click personas.
 */
function SignInPage({
  session,
  reason,
  onSwitchLang,
}: {
  session: Session;
  reason: SignedOutReason;
  onSwitchLang: (lang: Lang) => void;
}) {
  const { lang, t } = useI18n();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  // What is being sent: 'form', a persona's email, or nothing.
  const [busy, setBusy] = useState<string | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [personas, setPersonas] = useState<Persona[] | null>(null);
  const [oidc, setOidc] = useState<OidcProvider | null>(null);
  const [oidcError, setOidcError] = useState<OidcError | null>(takeOidcError);
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    document.title = t('signin.documentTitle');
  }, [lang]);

  useEffect(() => {
    let current = true;
    fetchPersonas().then((list) => {
      if (current) setPersonas(list ? sortPersonas(list) : null);
    });
    fetchOidcProvider().then((provider) => {
      if (current) setOidc(provider);
    });
    return () => {
      current = false;
    };
  }, []);

  const failed = (err: unknown, fromForm: boolean) => {
    const f = signInFailure(err);
    setFailure(f);
    setBusy(null);
    if (fromForm && f.kind === 'invalid') {
      setPassword('');
      passwordRef.current?.focus();
    }
  };

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    if (!email.trim() || !password) {
      setFailure({ kind: 'missing' });
      (email.trim() ? passwordRef : emailRef).current?.focus();
      return;
    }
    setBusy('form');
    setFailure(null);
    setOidcError(null);
    try {
      await session.signIn(email, password);
      // Signed in: this page goes away.
    } catch (err) {
      failed(err, true);
    }
  };

  const asPersona = async (personaEmail: string) => {
    if (busy) return;
    setBusy(personaEmail);
    setFailure(null);
    setOidcError(null);
    try {
      await session.signInAsPersona(personaEmail);
    } catch (err) {
      failed(err, false);
    }
  };

  let message: string | null = null;
  if (failure) {
    switch (failure.kind) {
      case 'missing':
        message = t('signin.missing');
        break;
      case 'invalid':
        message = t('signin.invalid');
        break;
      case 'rate_limited':
        message =
          failure.retryAfter === undefined
            ? t('signin.rateLimitedLater')
            : t('signin.rateLimited', { wait: waitText(lang, failure.retryAfter) });
        break;
      case 'network':
        message = t('signin.network');
        break;
      case 'other':
        message =
          problemMessage(failure.error.problem, lang) ?? t('signin.unexpected', { status: failure.error.status });
        break;
    }
  } else if (oidcError) {
    message = t(`signin.oidcError.${oidcError}` as MessageKey);
  }
  const emailInvalid = failure?.kind === 'invalid' || (failure?.kind === 'missing' && !email.trim());
  const passwordInvalid = failure?.kind === 'invalid' || (failure?.kind === 'missing' && !password);
  const notice = NOTICES[reason];

  return (
    <>
      <SiteHeader>
        <LanguageSwitch onSwitch={onSwitchLang} />
      </SiteHeader>
      <main id="main" tabIndex={-1} class="signin">
        <section class="committee" aria-labelledby="signin-title">
          <div class="container">
            <p class="eyebrow">{t('app.name')}</p>
            <h1 id="signin-title" tabIndex={-1} data-autofocus={notice ? undefined : ''}>
              {t('signin.title')}
            </h1>
            <p class="lead">{t('signin.intro')}</p>
          </div>
        </section>
        <div class="container">
          <div class="layout layout--signin">
            <section class="panel signin__panel" aria-labelledby="signin-form-title">
              <h2 id="signin-form-title" class="visually-hidden">
                {t('signin.title')}
              </h2>
              {notice && (
                <div
                  class="alert alert--info"
                  role="status"
                  tabIndex={-1}
                  data-autofocus=""
                  data-testid="signin-notice"
                >
                  <p>{t(notice)}</p>
                </div>
              )}
              <div class="signin__messages" aria-live="assertive" aria-atomic="true">
                {message && (
                  <div class="alert alert--error" id="signin-error" data-testid="signin-error">
                    <p class="alert__title">{t('signin.failed')}</p>
                    <p>{message}</p>
                  </div>
                )}
              </div>
              <form onSubmit={onSubmit} noValidate aria-busy={busy === 'form'} data-testid="signin-form">
                <div class={`field${emailInvalid ? ' field--error' : ''}`}>
                  <label for="signin-email">{t('signin.email')}</label>
                  <input
                    ref={emailRef}
                    id="signin-email"
                    name="email"
                    type="email"
                    inputMode="email"
                    autoComplete="username"
                    autoCapitalize="none"
                    spellcheck={false}
                    required
                    value={email}
                    onInput={(e) => setEmail(e.currentTarget.value)}
                    aria-invalid={emailInvalid ? 'true' : undefined}
                    aria-describedby={emailInvalid && message ? 'signin-error' : undefined}
                  />
                </div>
                <div class={`field${passwordInvalid ? ' field--error' : ''}`}>
                  <label for="signin-password">{t('signin.password')}</label>
                  <input
                    ref={passwordRef}
                    id="signin-password"
                    name="password"
                    type="password"
                    autoComplete="current-password"
                    required
                    value={password}
                    onInput={(e) => setPassword(e.currentTarget.value)}
                    aria-invalid={passwordInvalid ? 'true' : undefined}
                    aria-describedby={passwordInvalid && message ? 'signin-error' : undefined}
                  />
                </div>
                <button type="submit" class="button" disabled={busy !== null}>
                  {busy === 'form' ? t('signin.submitting') : t('signin.submit')}
                </button>
              </form>
              {oidc && (
                <div class="signin__oidc" data-testid="oidc">
                  <p class="signin__or" aria-hidden="true">
                    {t('signin.or')}
                  </p>
                  <a class="button button--secondary signin__oidc-button" href={oidc.loginUrl} aria-describedby="oidc-hint">
                    {oidc.label || t('signin.oidcDefault')}
                  </a>
                  <p class="signin__hint" id="oidc-hint">
                    {t('signin.oidcHint')}
                  </p>
                </div>
              )}
            </section>
            {personas && personas.length > 0 && (
              <section class="panel demo" aria-labelledby="demo-title" data-testid="demo-tour">
                <div class="panel__head">
                  <h2 id="demo-title">{t('demo.title')}</h2>
                </div>
                <p class="demo__intro">{t('demo.intro')}</p>
                <ul class="personas">
                  {personas.map((p, i) => (
                    <li key={p.email} class="persona">
                      <button
                        type="button"
                        class="persona__button"
                        data-persona={p.email}
                        disabled={busy !== null}
                        aria-describedby={`persona-${i}`}
                        onClick={() => void asPersona(p.email)}
                      >
                        {t('demo.signInAs', { persona: personaLabel(lang, p) })}
                      </button>
                      <span class="persona__who" id={`persona-${i}`}>
                        {p.name && p.name !== p.email ? `${p.name} · ` : ''}
                        <span class="persona__email">{p.email}</span>
                      </span>
                    </li>
                  ))}
                </ul>
              </section>
            )}
          </div>
        </div>
      </main>
      <SiteFooter />
    </>
  );
}

function ConnectionStatus({ status }: { status: LiveStatus }) {
  const { t } = useI18n();
  return (
    <p class={`status status--${status}`} role="status" aria-live="polite" aria-atomic="true" id="connection-status">
      <span class="status__dot" aria-hidden="true" />
      <span class="visually-hidden">{t('status.label')} : </span>
      <span class="status__text">{t(`status.${status}` as MessageKey)}</span>
    </p>
  );
}

function LanguageSwitch({ onSwitch }: { onSwitch: (lang: Lang) => void }) {
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

function CommitteeSummary({
  view,
  committee,
  organisations,
}: {
  view: ViewState<Committee>;
  committee: Committee | null;
  organisations: ViewState<Organisation>;
}) {
  const { lang, t } = useI18n();
  const secretariat = committee?.secretariat
    ? organisations.items.find((o) => o.id === committee.secretariat)
    : organisations.items.find((o) => o.secretariat);
  return (
    <section class="committee" aria-labelledby="committee-title">
      <div class="container">
      <p class="eyebrow">{t('committee.eyebrow')}</p>
      <h1 id="committee-title">
        {committee ? committee.name : view.loaded ? t('app.name') : t('committee.loading')}
        {committee?.acronym && committee.acronym !== committee.name && (
          <span class="committee__acronym"> ({committee.acronym})</span>
        )}
      </h1>
      {view.loaded && !committee && <p class="lead">{t('committee.missing')}</p>}
      {committee?.description && <p class="lead">{committee.description}</p>}
      {committee && (
        <dl class="facts">
          <div class="facts__item">
            <dt>{t('committee.secretariat')}</dt>
            <dd>{secretariat ? `${secretariat.name}${secretariat.acronym ? ` (${secretariat.acronym})` : ''}` : '—'}</dd>
          </div>
          <div class="facts__item">
            <dt>{t('committee.members')}</dt>
            <dd>{organisations.loaded ? plural(lang, 'orgs.count', organisations.items.length) : '—'}</dd>
          </div>
        </dl>
      )}
      </div>
    </section>
  );
}

/** Ids that appeared after the first load, kept for a few seconds to highlight them. */
function useFreshIds(view: ViewState<LiveRow>): ReadonlySet<string> {
  const known = useRef<Set<string> | null>(null);
  const timers = useRef<ReturnType<typeof setTimeout>[]>([]);
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => {
    if (!view.loaded) return;
    const ids = view.items.map((r) => r.id);
    if (known.current === null) {
      known.current = new Set(ids);
      return;
    }
    const seen = known.current;
    const added = ids.filter((id) => !seen.has(id));
    for (const id of added) seen.add(id);
    if (added.length === 0) return;
    setFresh((prev) => new Set([...prev, ...added]));
    timers.current.push(
      setTimeout(() => {
        setFresh((prev) => new Set([...prev].filter((id) => !added.includes(id))));
      }, 6000),
    );
  }, [view]);
  useEffect(() => () => timers.current.forEach(clearTimeout), []);
  return fresh;
}

function OrganisationsSection({ view }: { view: ViewState<Organisation> }) {
  const { lang, t } = useI18n();
  const rows = useMemo(() => sortOrganisations(view.items, lang), [view.items, lang]);
  const fresh = useFreshIds(view);
  return (
    <section class="panel orgs" aria-labelledby="orgs-title" data-loaded={view.loaded ? 'true' : 'false'}>
      <div class="panel__head">
        <h2 id="orgs-title">{t('orgs.title')}</h2>
        <p class="count" id="orgs-count" aria-live="polite" aria-atomic="true" data-testid="orgs-count">
          {view.loaded ? plural(lang, 'orgs.count', rows.length) : t('orgs.loading')}
        </p>
      </div>
      {view.loaded && rows.length === 0 && <p class="empty">{t('orgs.empty')}</p>}
      {rows.length > 0 && (
        <div class="table-wrap" role="region" aria-labelledby="orgs-title" tabIndex={0}>
          <table class="table" aria-labelledby="orgs-title" aria-describedby="orgs-count">
            <thead>
              <tr>
                <th scope="col">{t('orgs.col.acronym')}</th>
                <th scope="col">{t('orgs.col.name')}</th>
                <th scope="col">{t('orgs.col.kind')}</th>
                <th scope="col">{t('orgs.col.website')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((o) => (
                <OrganisationRow key={o.id} org={o} fresh={fresh.has(o.id)} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function OrganisationRow({ org, fresh }: { org: Organisation; fresh: boolean }) {
  const { t } = useI18n();
  const kind = kindKey(org.kind);
  const site = safeWebsite(org.website);
  return (
    <tr data-id={org.id} class={fresh ? 'is-new' : undefined}>
      <th scope="row" class="table__acronym">
        {org.acronym || '—'}
      </th>
      <td>
        {org.name}
        {org.secretariat && <span class="badge">{t('orgs.secretariat')}</span>}
      </td>
      <td class="table__kind">{kind ? t(kind) : org.kind}</td>
      <td>
        {site ? (
          <a href={site.href} rel="noopener noreferrer">
            {websiteLabel(site)}
          </a>
        ) : (
          <>
            <span aria-hidden="true">—</span>
            <span class="visually-hidden">{t('orgs.noWebsite')}</span>
          </>
        )}
      </td>
    </tr>
  );
}

type FormValues = { name: string; acronym: string; kind: string; website: string };
type FieldName = keyof FormValues;
const EMPTY: FormValues = { name: '', acronym: '', kind: '', website: '' };
const KINDS = ['elected_officials_association', 'public_operator', 'ministry', 'other'] as const;
const FIELD_ORDER: FieldName[] = ['name', 'acronym', 'kind', 'website'];

type Outcome =
  | { kind: 'problem'; status: number; problem: Problem }
  | { kind: 'network' }
  | { kind: 'success'; name: string }
  | null;

function AddOrganisationForm({ live }: { live: LiveClient }) {
  const { lang, t } = useI18n();
  const [values, setValues] = useState<FormValues>(EMPTY);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);
  // The key of a submission whose fate is unknown: resubmitting the same body reuses it.
  const pending = useRef<{ key: string; body: string } | null>(null);
  const form = useRef<HTMLFormElement>(null);
  const summary = useRef<HTMLDivElement>(null);

  // Next to each field the server named, what is wrong with it (its rule, in the current
  // language); the server's own message, general, stays in the summary above the form.
  const fieldErrors = useMemo(() => {
    const out: Partial<Record<FieldName, string>> = {};
    if (outcome?.kind !== 'problem' || !outcome.problem.fields) return out;
    const general = problemMessage(outcome.problem, lang);
    for (const [field, rule] of Object.entries(outcome.problem.fields)) {
      const name = field.toLowerCase() as FieldName;
      if (!FIELD_ORDER.includes(name)) continue;
      const key = ruleKey(String(rule));
      out[name] = key ? t(key) : (general ?? String(rule));
    }
    return out;
  }, [outcome, lang, t]);

  useEffect(() => {
    if (outcome?.kind !== 'problem' && outcome?.kind !== 'network') return;
    // Move to the first field to fix, or to the message when no field is named.
    const first = FIELD_ORDER.find((f) => fieldErrors[f]);
    const target = first ? form.current?.querySelector<HTMLElement>(`[name="${first}"]`) : summary.current;
    target?.focus();
    // Only when a new outcome arrives, not when the language changes.
  }, [outcome]);

  const set = (name: FieldName) => (e: Event) => {
    const v = (e.currentTarget as HTMLInputElement | HTMLSelectElement).value;
    setValues((prev) => ({ ...prev, [name]: v }));
  };

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const body: Record<string, string> = { name: values.name.trim(), acronym: values.acronym.trim() };
    if (values.kind) body.kind = values.kind;
    if (values.website.trim()) body.website = values.website.trim();
    const json = JSON.stringify(body);
    if (pending.current?.body !== json) pending.current = { key: newIdempotencyKey(), body: json };
    setBusy(true);
    setOutcome(null);
    try {
      const res = await postCommand('membership/add-organisation', body, pending.current.key);
      pending.current = null;
      setValues(EMPTY);
      setOutcome({ kind: 'success', name: body.name! });
      // Read-your-writes even if the socket is down: wait for the view to include the command.
      readView<Organisation>('organisations', { minPosition: res.position })
        .then((v) => live.seed('organisations', v.position, v.items))
        .catch(() => {
          // The socket will bring the row; nothing to tell the user.
        });
    } catch (err) {
      if (err instanceof ProblemError) {
        pending.current = null;
        setOutcome({ kind: 'problem', status: err.status, problem: err.problem });
      } else {
        setOutcome({ kind: 'network' });
      }
    } finally {
      setBusy(false);
    }
  };

  const describedBy = (name: FieldName, hint: boolean) =>
    [hint ? `f-${name}-hint` : '', fieldErrors[name] ? `f-${name}-error` : ''].filter(Boolean).join(' ') || undefined;

  return (
    <section class="panel add-org" aria-labelledby="add-org-title">
      <h2 id="add-org-title">{t('form.title')}</h2>
      <p class="form-intro">{t('form.intro')}</p>
      {(outcome?.kind === 'problem' || outcome?.kind === 'network') && (
        <div class="alert alert--error" role="alert" tabIndex={-1} ref={summary} data-testid="form-error">
          <p class="alert__title">{t('form.failed')}</p>
          {outcome.kind === 'network' && <p>{t('form.network')}</p>}
          {outcome.kind === 'problem' && (
            <p>{problemMessage(outcome.problem, lang) ?? t('form.unexpected', { status: outcome.status })}</p>
          )}
        </div>
      )}
      {outcome?.kind === 'success' && (
        <div class="alert alert--success" role="status" data-testid="form-success">
          <p>{t('form.success', { name: outcome.name })}</p>
        </div>
      )}
      <form ref={form} onSubmit={onSubmit} noValidate aria-busy={busy}>
        <Field name="name" label={t('form.name')} hint={t('form.name.hint')} required error={fieldErrors.name}>
          <input
            id="f-name"
            name="name"
            type="text"
            autoComplete="organization"
            required
            value={values.name}
            onInput={set('name')}
            aria-invalid={fieldErrors.name ? 'true' : undefined}
            aria-describedby={describedBy('name', true)}
          />
        </Field>
        <Field name="acronym" label={t('form.acronym')} hint={t('form.acronym.hint')} required error={fieldErrors.acronym}>
          <input
            id="f-acronym"
            name="acronym"
            type="text"
            autoComplete="off"
            required
            value={values.acronym}
            onInput={set('acronym')}
            aria-invalid={fieldErrors.acronym ? 'true' : undefined}
            aria-describedby={describedBy('acronym', true)}
          />
        </Field>
        <Field name="kind" label={t('form.kind')} error={fieldErrors.kind}>
          <select
            id="f-kind"
            name="kind"
            value={values.kind}
            onChange={set('kind')}
            aria-invalid={fieldErrors.kind ? 'true' : undefined}
            aria-describedby={describedBy('kind', false)}
          >
            <option value="">{t('form.kind.unspecified')}</option>
            {KINDS.map((k) => (
              <option value={k} key={k}>
                {t(`kind.${k}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field name="website" label={t('form.website')} hint={t('form.website.hint')} error={fieldErrors.website}>
          <input
            id="f-website"
            name="website"
            type="url"
            inputMode="url"
            autoComplete="url"
            value={values.website}
            onInput={set('website')}
            aria-invalid={fieldErrors.website ? 'true' : undefined}
            aria-describedby={describedBy('website', true)}
          />
        </Field>
        <button type="submit" class="button" disabled={busy}>
          {busy ? t('form.submitting') : t('form.submit')}
        </button>
      </form>
    </section>
  );
}

function Field({
  name,
  label,
  hint,
  required,
  error,
  children,
}: {
  name: FieldName;
  label: string;
  hint?: string;
  required?: boolean;
  error?: string;
  children: ComponentChildren;
}) {
  return (
    <div class={`field${error ? ' field--error' : ''}`}>
      <label for={`f-${name}`}>
        {label}
        {required && (
          <>
            <span class="field__required" aria-hidden="true">
              {' '}
              *
            </span>
          </>
        )}
      </label>
      {hint && (
        <p class="field__hint" id={`f-${name}-hint`}>
          {hint}
        </p>
      )}
      {children}
      {error && (
        <p class="field__error" id={`f-${name}-error`} data-testid={`error-${name}`}>
          {error}
        </p>
      )}
    </div>
  );
}
