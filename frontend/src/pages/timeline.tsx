// The decision timeline (#/timeline): every decision of the committee, newest first, live,
// filterable by area, working group, organisation and free text; each entry a sentence in
// the user's language linking to the object's page.
import { useMemo, useState } from 'preact/hooks';
import { useLiveView } from '../hooks';
import type { MessageKey } from '../i18n';
import type { LiveRow } from '../live';
import { useI18n } from '../ui';
import type { PageProps } from './page';
import {
  CONTEXTS,
  NO_FILTER,
  type TimelineEntry,
  type TimelineFilter,
  byDay,
  countLabel,
  describeEntry,
  filterEntries,
  formatDay,
  groupsOf,
  isEntry,
  sortEntries,
} from './timeline-model';
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
  const [filter, setFilter] = useState<TimelineFilter>(NO_FILTER);

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
  const set = (name: keyof TimelineFilter) => (e: Event) => {
    const value = (e.currentTarget as HTMLInputElement | HTMLSelectElement).value;
    setFilter((f) => ({ ...f, [name]: value }));
  };

  return (
    <div class="container timeline" data-loaded={view.loaded ? 'true' : 'false'} data-testid="timeline">
      <h1 data-autofocus tabIndex={-1}>
        {t('timeline.title')}
      </h1>
      <p class="lead">{t('timeline.intro')}</p>

      <form class="timeline-filters" role="search" aria-label={t('timeline.filters')} onSubmit={(e) => e.preventDefault()}>
        <div class="field">
          <label for="tl-context">{t('timeline.filter.context')}</label>
          <select id="tl-context" value={filter.context} onChange={set('context')}>
            <option value="">{t('timeline.filter.any')}</option>
            {CONTEXTS.map((c) => (
              <option key={c} value={c}>
                {t(`timeline.context.${c}` as MessageKey)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="tl-group">{t('timeline.filter.group')}</label>
          <select id="tl-group" value={filter.group} onChange={set('group')}>
            <option value="">{t('timeline.filter.anyGroup')}</option>
            {groups.map(([id, name]) => (
              <option key={id} value={id}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="tl-org">{t('timeline.filter.organisation')}</label>
          <select id="tl-org" value={filter.organisation} onChange={set('organisation')}>
            <option value="">{t('timeline.filter.anyOrganisation')}</option>
            {orgOptions.map((o) => (
              <option key={o.id} value={o.id}>
                {o.acronym || o.name}
              </option>
            ))}
          </select>
        </div>
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
          <p class="count" aria-live="polite" aria-atomic="true" data-testid="timeline-count">
            {view.loaded ? countLabel(lang, shown.length, 'timeline.count') : t('timeline.loading')}
          </p>
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
