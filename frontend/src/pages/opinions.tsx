// The opinions page: the committee's texts (#/opinions), filterable by status and working
// group, live over the `opinions` view; one text's record (#/opinions/<id>) is in
// opinions-detail.tsx.
import { useMemo } from 'preact/hooks';
import type { Organisation } from '../api';
import { type Choice, FilterSelect, useValues } from '../forms';
import { useLiveView } from '../hooks';
import { plural } from '../i18n';
import { href } from '../router';
import { DataTable, LiveCount, useI18n } from '../ui';
import { OpinionDetailPage } from './opinions-detail';
import { OpinionReport } from './opinions-report';
import { type Filters, type OpinionRow, STATUSES, filterOpinions, groupOptions, statusCounts } from './opinions-model';
import { OpinionStatus, When, label } from './opinions-ui';
import type { PageProps } from './page';
import './opinions.css';

export function OpinionsPage({ live, user, id, sub }: PageProps) {
  const orgs = useLiveView<Organisation>(live, 'organisations');
  const acronyms = useMemo(() => new Map(orgs.items.map((o) => [o.id, o.acronym || o.name])), [orgs.items]);
  if (id && sub === 'report') return <OpinionReport key={id} live={live} id={id} acronyms={acronyms} />;
  if (id) return <OpinionDetailPage key={id} live={live} user={user} id={id} acronyms={acronyms} />;
  return <OpinionList live={live} user={user} />;
}

const NO_FILTER: Filters = { status: '', group: '' };

function OpinionList({ live }: PageProps) {
  const { lang, t } = useI18n();
  const view = useLiveView<OpinionRow>(live, 'opinions');
  const [filters, setFilters, set] = useValues<Filters>(NO_FILTER);
  const rows = useMemo(() => filterOpinions(view.items, filters, lang), [view.items, filters, lang]);
  const groups = useMemo(() => groupOptions(view.items, lang), [view.items, lang]);
  const counts = useMemo(() => statusCounts(view.items), [view.items]);
  const filtered = filters.status !== '' || filters.group !== '';
  const select = (name: keyof Filters, options: Choice[]) => (
    <FilterSelect
      id={`op-filter-${name}`}
      label={t(`opinions.filter.${name}`)}
      name={name}
      value={filters[name]}
      onChange={set(name)}
      testid={`filter-${name}`}
      any={t('opinions.filter.all')}
      options={options}
    />
  );

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
          {select(
            'status',
            STATUSES.map((s) => ({
              value: s,
              label: t('opinions.filter.statusOption', { status: label(t, 'status', s), n: counts[s] ?? 0 }),
            })),
          )}
          {select(
            'group',
            groups.map((g) => ({ value: g.id, label: g.name })),
          )}
          {filtered && (
            <button type="button" class="button button--secondary" onClick={() => setFilters(NO_FILTER)}>
              {t('opinions.filter.reset')}
            </button>
          )}
        </form>
        <div class="panel__head">
          <LiveCount id="op-count" testid="opinions-count">
            {view.loaded ? plural(lang, 'opinions.count', rows.length) : t('opinions.loading')}
          </LiveCount>
        </div>
        {view.loaded && rows.length === 0 && (
          <p class="empty">{filtered ? t('opinions.emptyFiltered') : t('opinions.empty')}</p>
        )}
        {rows.length > 0 && (
          <DataTable
            titleId="op-list-title"
            countId="op-count"
            columns={(['title', 'group', 'status', 'amendments', 'updated'] as const).map((c) => t(`opinions.col.${c}`))}
          >
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
                  <OpinionStatus status={o.status} outcome={o.outcome} />
                </td>
                <td class="op-num" data-testid="pending-amendments">
                  {new Intl.NumberFormat(lang).format(o.pending_amendments)}
                </td>
                <td>
                  <When iso={o.updated_at} />
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>
    </div>
  );
}
