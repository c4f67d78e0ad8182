// The action sheets page (fiches-actions): the board (#/sheets), live over the
// action-sheets view, grouped by level of government, with filters by level, theme,
// status, owner and "overdue only"; a sheet's detail (#/sheets/<id>, sheets-detail.tsx);
// the actions each role may take, the creation form and the secretariat's CSV import.
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Organisation } from '../api';
import { useLiveView } from '../hooks';
import type { MessageKey } from '../i18n';
import { href } from '../router';
import type { User } from '../session';
import type { LiveClient } from '../live';
import { useI18n } from '../ui';
import type { PageProps } from './page';
import { SheetDetail } from './sheets-detail';
import { CreateSheetForm, ImportSheetsForm, type Notice, type OnDone, type OpinionRef, SheetActions } from './sheets-forms';
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
import { NoticeRegion, ProgressFigure, SheetBadges, codeLabel, countText, formatCivil, useToday } from './sheets-ui';
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

  if (id) {
    return (
      <SheetDetail
        live={live}
        user={user}
        id={id}
        orgs={orgs}
        opinions={opinions}
        today={today}
        notice={notice}
        onDone={onDone}
      />
    );
  }
  return (
    <Board
      live={live}
      user={user}
      sheets={sheets.items}
      loaded={sheets.loaded}
      orgs={orgs}
      orgList={orgsView.items}
      opinions={opinions}
      today={today}
      filters={filters}
      setFilters={setFilters}
      notice={notice}
      onDone={onDone}
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
}: {
  live: LiveClient;
  user: User;
  sheets: SheetRow[];
  loaded: boolean;
  orgs: ReadonlyMap<string, Organisation>;
  orgList: Organisation[];
  opinions: ReadonlyMap<string, OpinionRef>;
  today: string;
  filters: SheetFilters;
  setFilters: (f: SheetFilters) => void;
  notice: Notice | null;
  onDone: OnDone;
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
      ? countText(lang, 'sheets.shown', shown.length, { total: sheets.length })
      : countText(lang, 'sheets.count', sheets.length);
    if (overdue > 0 && !filtering(filters)) count += ` (${countText(lang, 'sheets.overdueCount', overdue)})`;
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
            {canCreate && (
              <button
                type="button"
                class="button button--secondary"
                aria-expanded={panel === 'create'}
                aria-controls="sheets-create"
                onClick={() => toggle('create')}
                data-testid="open-create"
              >
                {t('sheets.create.open')}
              </button>
            )}
            {canImport && (
              <button
                type="button"
                class="button button--secondary"
                aria-expanded={panel === 'import'}
                aria-controls="sheets-import"
                onClick={() => toggle('import')}
                data-testid="open-import"
              >
                {t('sheets.import.open')}
              </button>
            )}
          </div>
        ) : (
          <p class="sheets__readonly">{t('sheets.readOnly')}</p>
        )}
        {canCreate && (
          <section id="sheets-create" class="sheets__panel" aria-labelledby="sheets-create-title" hidden={panel !== 'create'}>
            <h2 id="sheets-create-title">{t('sheets.create.title')}</h2>
            {panel === 'create' && (
              <CreateSheetForm live={live} user={user} orgs={orgList} opinions={opinionList} today={today} onDone={onDone} />
            )}
          </section>
        )}
        {canImport && (
          <section id="sheets-import" class="sheets__panel" aria-labelledby="sheets-import-title" hidden={panel !== 'import'}>
            <h2 id="sheets-import-title">{t('sheets.import.title')}</h2>
            {panel === 'import' && <ImportSheetsForm live={live} onDone={onDone} />}
          </section>
        )}
        <Filters sheets={sheets} orgs={orgs} filters={filters} setFilters={setFilters} />
        <p class="count sheets__count" id="sheets-count" aria-live="polite" aria-atomic="true" data-testid="sheets-count">
          {count}
        </p>
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
      .map((id) => ({ id, label: orgs.get(id)?.acronym || orgs.get(id)?.name || id }))
      .sort((a, b) => a.label.localeCompare(b.label, lang));
  }, [sheets, orgs, filters.owner, lang]);
  const set = (k: keyof SheetFilters) => (e: Event) => {
    const el = e.currentTarget as HTMLInputElement;
    setFilters({ ...filters, [k]: el.type === 'checkbox' ? el.checked : el.value });
  };
  const select = (k: 'level' | 'theme' | 'status', codes: readonly string[], prefix: string) => (
    <div class="field sheets__filter">
      <label for={`filter-${k}`}>{t(`sheets.filters.${k}` as MessageKey)}</label>
      <select id={`filter-${k}`} name={k} value={filters[k]} onChange={set(k)}>
        <option value="">{t('sheets.filters.any')}</option>
        {codes.map((c) => (
          <option key={c} value={c}>
            {codeLabel(t, prefix, c)}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <form class="sheets__filters" role="search" aria-labelledby="sheets-filters-title" onSubmit={(e) => e.preventDefault()} data-testid="sheets-filters">
      <h2 id="sheets-filters-title" class="sheets__filters-title">
        {t('sheets.filters.title')}
      </h2>
      <div class="sheets__filter-row">
        {select('level', LEVELS, 'sheets.level')}
        {select('theme', THEMES, 'sheets.theme')}
        {select('status', STATUSES, 'sheets.status')}
        <div class="field sheets__filter">
          <label for="filter-owner">{t('sheets.filters.owner')}</label>
          <select id="filter-owner" name="owner" value={filters.owner} onChange={set('owner')}>
            <option value="">{t('sheets.filters.anyOwner')}</option>
            {owners.map((o) => (
              <option key={o.id} value={o.id}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
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

function SheetCard({
  live,
  user,
  sheet,
  orgs,
  opinions,
  today,
  onDone,
}: {
  live: LiveClient;
  user: User;
  sheet: SheetRow;
  orgs: ReadonlyMap<string, Organisation>;
  opinions: ReadonlyMap<string, OpinionRef>;
  today: string;
  onDone: OnDone;
}) {
  const { lang, t } = useI18n();
  const heading = useRef<HTMLHeadingElement>(null);
  const owner = orgs.get(sheet.organisation_id);
  const opinion = sheet.opinion_id ? opinions.get(sheet.opinion_id) : undefined;
  const titleId = `sheet-${sheet.id}-title`;
  return (
    <article class={`sheet sheet--${sheet.status}`} aria-labelledby={titleId} data-sheet-id={sheet.id} data-status={sheet.status}>
      <h3 id={titleId} class="sheet__title" tabIndex={-1} ref={heading}>
        <a href={href('sheets', sheet.id)}>{sheet.title}</a>
      </h3>
      <SheetBadges sheet={sheet} today={today} />
      <dl class="sheet__facts">
        <div>
          <dt>{t('sheets.owner')}</dt>
          <dd data-testid="sheet-owner">{owner?.acronym || owner?.name || '—'}</dd>
        </div>
        <div>
          <dt>{t('sheets.due')}</dt>
          <dd>
            <time dateTime={sheet.due_date} data-testid="sheet-due">
              {formatCivil(lang, sheet.due_date)}
            </time>
          </dd>
        </div>
        <div class="sheet__wide">
          <dt>{t('sheets.theme')}</dt>
          <dd>{codeLabel(t, 'sheets.theme', sheet.theme)}</dd>
        </div>
        {(sheet.status === 'in_progress' || sheet.progress.length > 0) && (
          <div class="sheet__wide">
            <dt>{t('sheets.progress')}</dt>
            <dd data-testid="sheet-percent">
              <ProgressFigure percent={sheet.percent} />
            </dd>
          </div>
        )}
        {sheet.opinion_id && (
          <div class="sheet__wide">
            <dt>{t('sheets.opinion')}</dt>
            <dd>{opinion ? <a href={href('opinions', opinion.id)}>{opinion.title}</a> : t('sheets.opinion.unavailable')}</dd>
          </div>
        )}
      </dl>
      <SheetActions live={live} user={user} sheet={sheet} titleId={titleId} onDone={onDone} focusAfter={() => heading.current?.focus()} />
    </article>
  );
}
