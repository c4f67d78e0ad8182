// The action sheets page (fiches-actions): the board (#/sheets), live over the
// action-sheets view, grouped by level of government, with filters by level, theme,
// status, owner and "overdue only"; a sheet's detail (#/sheets/<id>, sheets-detail.tsx);
// the actions each role may take, the creation form and the secretariat's CSV import.
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Organisation } from '../api';
import { useLiveView } from '../hooks';
import { codeLabel, plural } from '../i18n';
import { href } from '../router';
import { type Choice, FilterSelect, codeChoices } from '../forms';
import { Fact, LiveCount, useI18n } from '../ui';
import type { PageProps } from './page';
import { SheetDetail } from './sheets-detail';
import {
  CreateSheetForm,
  ImportSheetsForm,
  type Notice,
  type OnDone,
  type OpinionRef,
  SheetActions,
} from './sheets-forms';
import {
  LEVELS,
  NO_FILTERS,
  STATUSES,
  THEMES,
  type SheetFilters,
  type SheetRow,
  filterSheets,
  filtering,
  groupByLevel,
  isOverdue,
  mayCreate,
  mayImport,
} from './sheets-model';
import {
  DueFact,
  NoticeRegion,
  OpinionFact,
  ProgressFact,
  SheetBadges,
  type SheetProps,
  ThemeFact,
  useToday,
} from './sheets-ui';
import './sheets.css';

export function SheetsPage({ live, user, id }: PageProps) {
  const sheets = useLiveView<SheetRow>(live, 'action-sheets');
  const orgsView = useLiveView<Organisation>(live, 'organisations');
  const opinionsView = useLiveView<OpinionRef & { id: string }>(live, 'opinions');
  const orgs = useMemo(() => new Map(orgsView.items.map((o) => [o.id, o])), [orgsView.items]);
  const opinions = useMemo(() => new Map(opinionsView.items.map((o) => [o.id, o])), [opinionsView.items]);
  const today = useToday();
  const [notice, setNotice] = useState<Notice | null>(null);
  const onDone = useCallback<OnDone>((n) => setNotice(n), []);
  // A success belongs to the screen it happened on.
  useEffect(() => setNotice(null), [id]);
  // Filters live in the page's state: they survive a visit to a sheet and back.
  const [filters, setFilters] = useState<SheetFilters>(NO_FILTERS);

  const shared = { live, user, orgs, opinions, today, notice, onDone };
  if (id) return <SheetDetail {...shared} id={id} />;
  return (
    <Board
      {...shared}
      sheets={sheets.items}
      loaded={sheets.loaded}
      orgList={orgsView.items}
      filters={filters}
      setFilters={setFilters}
    />
  );
}

function Board({
  live,
  user,
  sheets,
  loaded,
  orgs,
  orgList,
  opinions,
  today,
  filters,
  setFilters,
  notice,
  onDone,
}: Omit<SheetProps, 'sheet'> & {
  sheets: SheetRow[];
  loaded: boolean;
  orgList: Organisation[];
  filters: SheetFilters;
  setFilters: (f: SheetFilters) => void;
  notice: Notice | null;
}) {
  const { lang, t } = useI18n();
  const [panel, setPanel] = useState<null | 'create' | 'import'>(null);
  const shown = useMemo(() => filterSheets(sheets, filters, today), [sheets, filters, today]);
  const groups = useMemo(() => groupByLevel(shown, lang), [shown, lang]);
  const overdue = useMemo(() => sheets.filter((s) => isOverdue(s, today)).length, [sheets, today]);
  const opinionList = useMemo(
    () => [...opinions.values()].sort((a, b) => a.title.localeCompare(b.title, lang)),
    [opinions, lang],
  );
  const canCreate = mayCreate(user);
  const canImport = mayImport(user);
  const toggle = (p: 'create' | 'import') => setPanel((cur) => (cur === p ? null : p));

  let count = t('sheets.loading');
  if (loaded) {
    count = filtering(filters)
      ? plural(lang, 'sheets.shown', shown.length, { total: sheets.length })
      : plural(lang, 'sheets.count', sheets.length);
    if (overdue > 0 && !filtering(filters)) count += ` (${plural(lang, 'sheets.overdueCount', overdue)})`;
  }

  return (
    <div class="container sheets-page">
      <section class="sheets" aria-labelledby="sheets-title" data-loaded={loaded ? 'true' : 'false'} data-testid="sheets-page">
        <h1 id="sheets-title" data-autofocus tabIndex={-1}>
          {t('sheets.title')}
        </h1>
        <p class="lead">{t('sheets.intro')}</p>
        <NoticeRegion notice={notice} />
        {canCreate || canImport ? (
          <div class="sheets__tools">
            {(
              [
                ['create', canCreate, 'sheets.create.open'],
                ['import', canImport, 'sheets.import.open'],
              ] as const
            ).map(
              ([p, allowed, label]) =>
                allowed && (
                  <button
                    key={p}
                    type="button"
                    class="button button--secondary"
                    aria-expanded={panel === p}
                    aria-controls={`sheets-${p}`}
                    onClick={() => toggle(p)}
                    data-testid={`open-${p}`}
                  >
                    {t(label)}
                  </button>
                ),
            )}
          </div>
        ) : (
          <p class="sheets__readonly">{t('sheets.readOnly')}</p>
        )}
        {canCreate && (
          <section id="sheets-create" class="sheets__panel form-panel" aria-labelledby="sheets-create-title" hidden={panel !== 'create'}>
            <h2 id="sheets-create-title">{t('sheets.create.title')}</h2>
            {panel === 'create' && (
              <CreateSheetForm live={live} user={user} orgs={orgList} opinions={opinionList} today={today} onDone={onDone} />
            )}
          </section>
        )}
        {canImport && (
          <section id="sheets-import" class="sheets__panel form-panel" aria-labelledby="sheets-import-title" hidden={panel !== 'import'}>
            <h2 id="sheets-import-title">{t('sheets.import.title')}</h2>
            {panel === 'import' && <ImportSheetsForm live={live} onDone={onDone} />}
          </section>
        )}
        <Filters sheets={sheets} orgs={orgs} filters={filters} setFilters={setFilters} />
        <LiveCount id="sheets-count" testid="sheets-count" class="sheets__count">
          {count}
        </LiveCount>
        {loaded && sheets.length === 0 && <p class="empty">{t('sheets.empty')}</p>}
        {loaded && sheets.length > 0 && shown.length === 0 && <p class="empty">{t('sheets.noMatch')}</p>}
        {groups.map((g) => (
          <section key={g.level} class="sheets__level" aria-labelledby={`level-${g.level}`} data-level={g.level}>
            <h2 id={`level-${g.level}`}>
              {codeLabel(t, 'sheets.level', g.level)} <span class="sheets__level-count">({g.sheets.length})</span>
            </h2>
            <ul class="sheet-list">
              {g.sheets.map((s) => (
                <li key={s.id}>
                  <SheetCard live={live} user={user} sheet={s} orgs={orgs} opinions={opinions} today={today} onDone={onDone} />
                </li>
              ))}
            </ul>
          </section>
        ))}
      </section>
    </div>
  );
}

function Filters({
  sheets,
  orgs,
  filters,
  setFilters,
}: {
  sheets: SheetRow[];
  orgs: ReadonlyMap<string, Organisation>;
  filters: SheetFilters;
  setFilters: (f: SheetFilters) => void;
}) {
  const { lang, t } = useI18n();
  // Owners that lead at least one sheet (and the one chosen, even if it has none left).
  const owners = useMemo(() => {
    const ids = new Set(sheets.map((s) => s.organisation_id));
    if (filters.owner) ids.add(filters.owner);
    return [...ids]
      .map((id) => ({ value: id, label: orgs.get(id)?.acronym || orgs.get(id)?.name || id }))
      .sort((a, b) => a.label.localeCompare(b.label, lang));
  }, [sheets, orgs, filters.owner, lang]);
  const set = (k: keyof SheetFilters) => (e: Event) => {
    const el = e.currentTarget as HTMLInputElement;
    setFilters({ ...filters, [k]: el.type === 'checkbox' ? el.checked : el.value });
  };
  const select = (k: 'level' | 'theme' | 'status' | 'owner', any: string, options: Choice[]) => (
    <FilterSelect
      id={`filter-${k}`}
      class="sheets__filter"
      label={t(`sheets.filters.${k}`)}
      name={k}
      value={filters[k]}
      onChange={set(k)}
      any={any}
      options={options}
    />
  );
  return (
    <form class="sheets__filters" role="search" aria-labelledby="sheets-filters-title" onSubmit={(e) => e.preventDefault()} data-testid="sheets-filters">
      <h2 id="sheets-filters-title" class="sheets__filters-title">
        {t('sheets.filters.title')}
      </h2>
      <div class="sheets__filter-row">
        {select('level', t('sheets.filters.any'), codeChoices(t, 'sheets.level', LEVELS))}
        {select('theme', t('sheets.filters.any'), codeChoices(t, 'sheets.theme', THEMES))}
        {select('status', t('sheets.filters.any'), codeChoices(t, 'sheets.status', STATUSES))}
        {select('owner', t('sheets.filters.anyOwner'), owners)}
      </div>
      <div class="sheets__filter-row sheets__filter-row--end">
        <div class="sheets__check">
          <input id="filter-overdue" name="overdue" type="checkbox" checked={filters.overdueOnly} onChange={set('overdueOnly')} />
          <label for="filter-overdue">{t('sheets.filters.overdue')}</label>
        </div>
        {filtering(filters) && (
          <button type="button" class="button button--secondary" onClick={() => setFilters(NO_FILTERS)} data-testid="filters-reset">
            {t('sheets.filters.reset')}
          </button>
        )}
      </div>
    </form>
  );
}

function SheetCard({ live, user, sheet, orgs, opinions, today, onDone }: SheetProps) {
  const { t } = useI18n();
  const heading = useRef<HTMLHeadingElement>(null);
  const owner = orgs.get(sheet.organisation_id);
  const titleId = `sheet-${sheet.id}-title`;
  return (
    <article class={`sheet sheet--${sheet.status}`} aria-labelledby={titleId} data-sheet-id={sheet.id} data-status={sheet.status}>
      <h3 id={titleId} class="sheet__title" tabIndex={-1} ref={heading}>
        <a href={href('sheets', sheet.id)}>{sheet.title}</a>
      </h3>
      <SheetBadges sheet={sheet} today={today} />
      <dl class="sheet__facts">
        <Fact label={t('sheets.owner')} testid="sheet-owner">
          {owner?.acronym || owner?.name || '—'}
        </Fact>
        <DueFact sheet={sheet} />
        <ThemeFact sheet={sheet} />
        {(sheet.status === 'in_progress' || sheet.progress.length > 0) && <ProgressFact sheet={sheet} wide />}
        <OpinionFact sheet={sheet} opinions={opinions} />
      </dl>
      <SheetActions live={live} user={user} sheet={sheet} titleId={titleId} onDone={onDone} focusAfter={() => heading.current?.focus()} />
    </article>
  );
}
