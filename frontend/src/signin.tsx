// The sign-in page: password form, one-click demo personas, OpenID Connect button.
import { useEffect, useRef, useState } from 'preact/hooks';
import { problemMessage } from './api';
import { type Lang, type MessageKey } from './i18n';
import { personaLabel, waitText } from './model';
import {
  type OidcError,
  type OidcProvider,
  type Persona,
  type Session,
  type SignInFailure,
  type SignedOutReason,
  fetchOidcProvider,
  fetchPersonas,
  signInFailure,
  sortPersonas,
  takeSignInError,
} from './session';
import { LanguageSwitch, SiteFooter, SiteHeader, useI18n } from './ui';

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
export function SignInPage({
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
