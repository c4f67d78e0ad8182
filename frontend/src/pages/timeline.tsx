// The decision timeline (#/timeline): every decision of the committee, newest first, live,
// filterable by area, working group, organisation and free text; each entry a sentence in
// the user's language linking to the object's page.
import { useMemo } from 'preact/hooks';
import { type Choice, FilterSelect, useValues } from '../forms';
import { useLiveView } from '../hooks';
import { type MessageKey, plural } from '../i18n';
import type { LiveRow } from '../live';
import { LiveCount, useI18n } from '../ui';
import type { PageProps } from './page';
import {
  CONTEXTS,
  NO_FILTER,
  type TimelineEntry,
  type TimelineFilter,
  byDay,
  describeEntry,
  filterEntries,
  formatDay,
  groupsOf,
  isEntry,
  sortEntries,
} from './timeline-model';
import { CommitteeTravel } from './timeline-travel';
import { EntryLine, useOrgRefs } from './timeline-ui';
import './timeline.css';

/** How many rows the server keeps (projections/timeline.MaxEntries). */
const SERVER_WINDOW = 2000;

interface GroupLike extends LiveRow {
  name?: string;
}

export function TimelinePage({ live }: PageProps) {
  const { lang, t } = useI18n();
  const view = useLiveView<TimelineEntry>(live, 'timeline');
  const groupsView = useLiveView<GroupLike>(live, 'groups');
  const orgs = useOrgRefs(live);
  const [filter, setFilter, set] = useValues<TimelineFilter>(NO_FILTER);

  const entries = useMemo(() => sortEntries(view.items.filter(isEntry)), [view.items]);
  const groups = useMemo(() => {
    const out = groupsOf(entries);
    for (const g of groupsView.items) if (typeof g.name === 'string') out.set(g.id, g.name);
    return [...out].sort((a, b) => a[1].localeCompare(b[1], lang));
  }, [entries, groupsView.items, lang]);
  const orgOptions = useMemo(
    () => [...orgs.values()].sort((a, b) => (a.acronym ?? '').localeCompare(b.acronym ?? '', lang)),
    [orgs, lang],
  );
  const shown = useMemo(
    () => filterEntries(entries, filter, (e) => describeEntry(lang, e, orgs, t)),
    [entries, filter, lang, orgs],
  );
  const days = useMemo(() => byDay(shown), [shown]);
  const filtered = filter.context !== '' || filter.group !== '' || filter.organisation !== '' || filter.text.trim() !== '';
  const contexts = CONTEXTS.map((c) => ({ value: c, label: t(`timeline.context.${c}` as MessageKey) }));
  const select = (name: 'context' | 'group' | 'organisation', id: string, any: MessageKey, options: Choice[]) => (
    <FilterSelect
      id={id}
      label={t(`timeline.filter.${name}`)}
      value={filter[name]}
      onChange={set(name)}
      any={t(any)}
      options={options}
    />
  );

  return (
    <div class="container timeline" data-loaded={view.loaded ? 'true' : 'false'} data-testid="timeline">
      <h1 data-autofocus tabIndex={-1}>
        {t('timeline.title')}
      </h1>
      <p class="lead">{t('timeline.intro')}</p>
      <p class="timeline-export" data-testid="timeline-export">
        {t('timeline.export')}{' '}
        <a class="button button--secondary" href="/api/v1/exports/timeline?format=csv" download>
          {t('timeline.export.csv')}
        </a>{' '}
        <a class="button button--secondary" href="/api/v1/exports/timeline?format=json" download>
          {t('timeline.export.json')}
        </a>
      </p>

      {view.loaded && <CommitteeTravel entries={entries} orgs={orgs} />}

      <form class="timeline-filters" role="search" aria-label={t('timeline.filters')} onSubmit={(e) => e.preventDefault()}>
        {select('context', 'tl-context', 'timeline.filter.any', contexts)}
        {select('group', 'tl-group', 'timeline.filter.anyGroup', groups.map(([id, name]) => ({ value: id, label: name })))}
        {select(
          'organisation',
          'tl-org',
          'timeline.filter.anyOrganisation',
          orgOptions.map((o) => ({ value: o.id, label: o.acronym || o.name || '' })),
        )}
        <div class="field timeline-filters__text">
          <label for="tl-text">{t('timeline.filter.text')}</label>
          <input id="tl-text" type="search" value={filter.text} onInput={set('text')} aria-describedby="tl-text-hint" autoComplete="off" />
          <p class="field__hint" id="tl-text-hint">
            {t('timeline.filter.text.hint')}
          </p>
        </div>
        {filtered && (
          <button type="button" class="button button--secondary timeline-filters__reset" onClick={() => setFilter(NO_FILTER)}>
            {t('timeline.filter.reset')}
          </button>
        )}
      </form>

      <section class="timeline-entries" aria-labelledby="tl-list-title">
        <div class="panel__head">
          <h2 id="tl-list-title">{t('timeline.list')}</h2>
          <LiveCount testid="timeline-count">
            {view.loaded ? plural(lang, 'timeline.count', shown.length) : t('timeline.loading')}
          </LiveCount>
        </div>
        {view.loaded && entries.length === 0 && <p class="empty">{t('timeline.empty')}</p>}
        {view.loaded && entries.length > 0 && shown.length === 0 && <p class="empty">{t('timeline.noMatch')}</p>}
        {days.map(({ day, entries: list }) => (
          <section class="timeline-day" key={day} aria-labelledby={`tl-day-${day}`}>
            <h3 id={`tl-day-${day}`}>{formatDay(lang, list[0]!.time)}</h3>
            <ol class="timeline-list">
              {list.map((e) => (
                <li key={e.id} class={`entry entry--${e.context}`} data-id={e.id} data-type={e.type}>
                  <EntryLine entry={e} orgs={orgs} clockOnly />
                  <span class="entry__context">{t(`timeline.context.${e.context}` as MessageKey)}</span>
                </li>
              ))}
            </ol>
          </section>
        ))}
        {entries.length >= SERVER_WINDOW && <p class="field__hint">{t('timeline.bounded', { n: SERVER_WINDOW })}</p>}
      </section>
    </div>
  );
}
