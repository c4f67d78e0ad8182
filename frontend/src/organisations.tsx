// The committee summary, its member organisations (live) and the form that adds one.
import { type ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
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
import { kindKey, plural, ruleKey } from './i18n';
import type { LiveClient, LiveRow, ViewState } from './live';
import { safeWebsite, sortOrganisations, websiteLabel } from './model';
import { useI18n } from './ui';

export function CommitteeSummary({
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

export function OrganisationsSection({ view }: { view: ViewState<Organisation> }) {
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

export function AddOrganisationForm({ live }: { live: LiveClient }) {
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
