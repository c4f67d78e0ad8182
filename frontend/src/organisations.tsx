// The committee summary, its member organisations (live) and the form that adds one.
import { useMemo, useRef, useState } from 'preact/hooks';
import { type Committee, type Organisation, problemMessage, readView } from './api';
import {
  Field,
  Options,
  ProblemAlert,
  SubmitButton,
  SuccessAlert,
  bindFields,
  codeChoices,
  fieldIn,
  ruleMessage,
  useFieldErrors,
  useFocusOnFailure,
  useValues,
} from './forms';
import { useCommand, useFreshIds } from './hooks';
import { kindKey, plural } from './i18n';
import type { LiveClient, ViewState } from './live';
import { safeWebsite, sortOrganisations, websiteLabel } from './model';
import { DataTable, Fact, LiveCount, useI18n } from './ui';

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
          <Fact label={t('committee.secretariat')}>
            {secretariat ? `${secretariat.name}${secretariat.acronym ? ` (${secretariat.acronym})` : ''}` : '—'}
          </Fact>
          <Fact label={t('committee.members')}>
            {organisations.loaded ? plural(lang, 'orgs.count', organisations.items.length) : '—'}
          </Fact>
        </dl>
      )}
      </div>
    </section>
  );
}

export function OrganisationsSection({ view }: { view: ViewState<Organisation> }) {
  const { lang, t } = useI18n();
  const rows = useMemo(() => sortOrganisations(view.items, lang), [view.items, lang]);
  const fresh = useFreshIds(view.loaded, view.items);
  return (
    <section class="panel orgs" aria-labelledby="orgs-title" data-loaded={view.loaded ? 'true' : 'false'}>
      <div class="panel__head">
        <h2 id="orgs-title">{t('orgs.title')}</h2>
        <LiveCount id="orgs-count" testid="orgs-count">
          {view.loaded ? plural(lang, 'orgs.count', rows.length) : t('orgs.loading')}
        </LiveCount>
      </div>
      {view.loaded && rows.length === 0 && <p class="empty">{t('orgs.empty')}</p>}
      {rows.length > 0 && (
        <DataTable
          titleId="orgs-title"
          countId="orgs-count"
          labelled
          columns={[t('orgs.col.acronym'), t('orgs.col.name'), t('orgs.col.kind'), t('orgs.col.website')]}
        >
          {rows.map((o) => (
            <OrganisationRow key={o.id} org={o} fresh={fresh.has(o.id)} />
          ))}
        </DataTable>
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

/** The form field a field of the server's problem names (any case), if the form shows it. */
const formField = (name: string) => fieldIn(FIELD_ORDER)(name.toLowerCase());

export function AddOrganisationForm({ live }: { live: LiveClient }) {
  const { lang, t } = useI18n();
  const [values, setValues, set] = useValues<FormValues>(EMPTY);
  // The command has no view to wait for: the success shows at once, the row when it comes.
  const { run, busy, outcome } = useCommand(live);
  const [added, setAdded] = useState<string | null>(null);
  const form = useRef<HTMLFormElement>(null);
  const summary = useRef<HTMLDivElement>(null);

  // Next to each field the server named, what is wrong with it (its rule, in the current
  // language); the server's own message, general, stays in the summary above the form.
  const fieldErrors = useFieldErrors(outcome, formField, (rule) =>
    ruleMessage(t, rule, (outcome?.kind === 'problem' && problemMessage(outcome.problem, lang)) || rule),
  );

  // Move to the first field to fix, or to the message when no field is named.
  useFocusOnFailure(outcome, FIELD_ORDER, fieldErrors, (f) => form.current?.querySelector<HTMLElement>(`[name="${f}"]`), summary);


  const onSubmit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const body: Record<string, string> = { name: values.name.trim(), acronym: values.acronym.trim() };
    if (values.kind) body.kind = values.kind;
    if (values.website.trim()) body.website = values.website.trim();
    setAdded(null);
    const res = await run('membership/add-organisation', body);
    if (!res) return;
    setValues(EMPTY);
    setAdded(body.name!);
    // Read-your-writes even if the socket is down: wait for the view to include the command.
    readView<Organisation>('organisations', { minPosition: res.position })
      .then((v) => live.seed('organisations', v.position, v.items))
      .catch(() => {
        // The socket will bring the row; nothing to tell the user.
      });
  };

  const bound = bindFields('f-', values, fieldErrors);
  const field = (name: FieldName) => ({ ...bound.field(name), errorTestId: `error-${name}` });
  const control = bound.control;

  return (
    <section class="panel form-panel add-org" aria-labelledby="add-org-title">
      <h2 id="add-org-title">{t('form.title')}</h2>
      <p class="form-intro">{t('form.intro')}</p>
      <ProblemAlert outcome={outcome} title={t('form.failed')} testid="form-error" boxRef={summary} />
      {outcome?.kind === 'success' && added && <SuccessAlert testid="form-success">{t('form.success', { name: added })}</SuccessAlert>}
      <form ref={form} onSubmit={onSubmit} noValidate aria-busy={busy}>
        <Field {...field('name')} label={t('form.name')} hint={t('form.name.hint')} required>
          <input {...control('name', true)} type="text" autoComplete="organization" required onInput={set('name')} />
        </Field>
        <Field {...field('acronym')} label={t('form.acronym')} hint={t('form.acronym.hint')} required>
          <input {...control('acronym', true)} type="text" autoComplete="off" required onInput={set('acronym')} />
        </Field>
        <Field {...field('kind')} label={t('form.kind')}>
          <select {...control('kind', false)} onChange={set('kind')}>
            <Options none={t('form.kind.unspecified')} choices={codeChoices(t, 'kind', KINDS)} />
          </select>
        </Field>
        <Field {...field('website')} label={t('form.website')} hint={t('form.website.hint')}>
          <input {...control('website', true)} type="url" inputMode="url" autoComplete="url" onInput={set('website')} />
        </Field>
        <SubmitButton busy={busy}>{t('form.submit')}</SubmitButton>
      </form>
    </section>
  );
}
