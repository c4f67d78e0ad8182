// The opinions page: the committee's texts (#/opinions), filterable by status and working
// group, live over the `opinions` view; one text's record (#/opinions/<id>) is in
// opinions-detail.tsx.
import { useMemo, useState } from 'preact/hooks';
import type { Organisation } from '../api';
import { useLiveView } from '../hooks';
import { href } from '../router';
import { useI18n } from '../ui';
import { OpinionDetailPage } from './opinions-detail';
import { type Filters, type OpinionRow, STATUSES, filterOpinions, groupOptions, statusCounts } from './opinions-model';
import { StatusBadge, When, countText, label } from './opinions-ui';
import type { PageProps } from './page';
import './opinions.css';

export function OpinionsPage({ live, user, id }: PageProps) {
  const orgs = useLiveView<Organisation>(live, 'organisations');
  const acronyms = useMemo(() => new Map(orgs.items.map((o) => [o.id, o.acronym || o.name])), [orgs.items]);
  if (id) return <OpinionDetailPage key={id} live={live} user={user} id={id} acronyms={acronyms} />;
  return <OpinionList live={live} user={user} />;
}

const NO_FILTER: Filters = { status: '', group: '' };

function OpinionList({ live }: PageProps) {
  const { lang, t } = useI18n();
  const view = useLiveView<OpinionRow>(live, 'opinions');
  const [filters, setFilters] = useState<Filters>(NO_FILTER);
  const rows = useMemo(() => filterOpinions(view.items, filters, lang), [view.items, filters, lang]);
  const groups = useMemo(() => groupOptions(view.items, lang), [view.items, lang]);
  const counts = useMemo(() => statusCounts(view.items), [view.items]);
  const filtered = filters.status !== '' || filters.group !== '';
  const set = (name: keyof Filters) => (e: Event) => {
    const v = (e.currentTarget as HTMLSelectElement).value;
    setFilters((f) => ({ ...f, [name]: v }));
  };

  return (
    <div class="container opinions">
      <h1 data-autofocus tabIndex={-1}>
        {t('opinions.title')}
      </h1>
      <p class="lead">{t('opinions.intro')}</p>
      <section class="op-list" aria-labelledby="op-list-title" data-loaded={view.loaded ? 'true' : 'false'}>
        <h2 id="op-list-title" class="visually-hidden">
          {t('opinions.title')}
        </h2>
        <form class="op-filters" aria-label={t('opinions.filters')} onSubmit={(e) => e.preventDefault()}>
          <div class="field">
            <label for="op-filter-status">{t('opinions.filter.status')}</label>
            <select id="op-filter-status" name="status" value={filters.status} onChange={set('status')} data-testid="filter-status">
              <option value="">{t('opinions.filter.all')}</option>
              {STATUSES.map((s) => (
                <option value={s} key={s}>
                  {t('opinions.filter.statusOption', { status: label(t, 'status', s), n: counts[s] ?? 0 })}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="op-filter-group">{t('opinions.filter.group')}</label>
            <select id="op-filter-group" name="group" value={filters.group} onChange={set('group')} data-testid="filter-group">
              <option value="">{t('opinions.filter.all')}</option>
              {groups.map((g) => (
                <option value={g.id} key={g.id}>
                  {g.name}
                </option>
              ))}
            </select>
          </div>
          {filtered && (
            <button type="button" class="button button--secondary" onClick={() => setFilters(NO_FILTER)}>
              {t('opinions.filter.reset')}
            </button>
          )}
        </form>
        <div class="panel__head">
          <p class="count" id="op-count" aria-live="polite" aria-atomic="true" data-testid="opinions-count">
            {view.loaded ? countText(lang, t, 'opinions.count', rows.length) : t('opinions.loading')}
          </p>
        </div>
        {view.loaded && rows.length === 0 && (
          <p class="empty">{filtered ? t('opinions.emptyFiltered') : t('opinions.empty')}</p>
        )}
        {rows.length > 0 && (
          <div class="table-wrap" role="region" aria-labelledby="op-list-title" tabIndex={0}>
            <table class="table" aria-describedby="op-count">
              <thead>
                <tr>
                  <th scope="col">{t('opinions.col.title')}</th>
                  <th scope="col">{t('opinions.col.group')}</th>
                  <th scope="col">{t('opinions.col.status')}</th>
                  <th scope="col">{t('opinions.col.amendments')}</th>
                  <th scope="col">{t('opinions.col.updated')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((o) => (
                  <tr key={o.id} data-id={o.id} data-testid="opinion-row">
                    <th scope="row">
                      <span class="op-kind">{label(t, 'kind', o.kind)}</span>
                      <a href={href('opinions', o.id)} class="op-title">
                        {o.title}
                      </a>
                    </th>
                    <td>{o.group_name || '—'}</td>
                    <td>
                      <StatusBadge status={o.status} outcome={o.outcome} />
                    </td>
                    <td class="op-num" data-testid="pending-amendments">
                      {new Intl.NumberFormat(lang).format(o.pending_amendments)}
                    </td>
                    <td>
                      <When iso={o.updated_at} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
