// One action sheet (#/sheets/<id>): everything the board shows, plus its description,
// outcome and history, live over the one row action-sheets:<id>.
import { useRef } from 'preact/hooks';
import { useLiveRow } from '../hooks';
import { codeLabel } from '../i18n';
import { href } from '../router';
import { BackLink, Fact, useI18n } from '../ui';
import { type Notice, SheetActions } from './sheets-forms';
import type { SheetRow } from './sheets-model';
import {
  DueFact,
  NoticeRegion,
  OpinionFact,
  ProgressFact,
  SheetBadges,
  type SheetProps,
  ThemeFact,
  formatCivil,
  formatInstant,
  formatPercent,
} from './sheets-ui';

/** One entry of a sheet's history, oldest first. */
interface HistoryEntry {
  at: string;
  text: string;
  note?: string;
  by?: string;
}

export function SheetDetail({
  live,
  user,
  id,
  orgs,
  opinions,
  today,
  notice,
  onDone,
}: Omit<SheetProps, 'sheet'> & { id: string; notice: Notice | null }) {
  const { t } = useI18n();
  const { row: sheet, loaded } = useLiveRow<SheetRow>(live, 'action-sheets', id);
  const heading = useRef<HTMLHeadingElement>(null);
  return (
    <div class="container sheets-page">
      <section class="sheet-detail" aria-labelledby="sheet-title" data-loaded={loaded ? 'true' : 'false'} data-testid="sheets-page">
        <BackLink href={href('sheets')} class="sheet-detail__back">
          {t('sheets.back')}
        </BackLink>
        <h1 id="sheet-title" data-autofocus tabIndex={-1} ref={heading}>
          {sheet ? sheet.title : loaded ? t('sheets.title') : t('sheets.loading')}
        </h1>
        <NoticeRegion notice={notice} />
        {loaded && !sheet && <p class="empty">{t('sheets.notFound')}</p>}
        {sheet && (
          <SheetBody
            live={live}
            user={user}
            sheet={sheet}
            orgs={orgs}
            opinions={opinions}
            today={today}
            onDone={onDone}
            focusAfter={() => heading.current?.focus()}
          />
        )}
      </section>
    </div>
  );
}

function SheetBody({ live, user, sheet, orgs, opinions, today, onDone, focusAfter }: SheetProps & { focusAfter: () => void }) {
  const { lang, t } = useI18n();
  const owner = orgs.get(sheet.organisation_id);
  const orgName = (orgId?: string) => (orgId ? orgs.get(orgId)?.acronym || orgs.get(orgId)?.name : undefined);
  const history: HistoryEntry[] = [{ at: sheet.created_at, text: t('sheets.history.created') }];
  if (sheet.started_at) history.push({ at: sheet.started_at, text: t('sheets.history.started') });
  for (const p of sheet.progress) {
    history.push({
      at: p.recorded_at,
      text: t('sheets.history.progress', { percent: formatPercent(lang, p.percent), date: formatCivil(lang, p.as_of) }),
      note: p.comment,
      by: orgName(p.by),
    });
  }
  for (const r of sheet.reschedules) {
    history.push({
      at: r.at,
      text: t('sheets.history.rescheduled', { from: formatCivil(lang, r.from), to: formatCivil(lang, r.to) }),
      note: r.reason,
    });
  }
  if (sheet.closed_at && (sheet.status === 'done' || sheet.status === 'abandoned')) {
    history.push({ at: sheet.closed_at, text: t(sheet.status === 'done' ? 'sheets.history.done' : 'sheets.history.abandoned'), note: sheet.outcome });
  }
  // Stable: entries of the same instant keep the order above.
  history.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));

  return (
    <>
      <SheetBadges sheet={sheet} today={today} />
      {sheet.description && (
        <div class="sheet-detail__description">
          <h2 class="visually-hidden">{t('sheets.description')}</h2>
          {sheet.description.split(/\n{2,}/).map((para, i) => (
            <p key={i}>{para}</p>
          ))}
        </div>
      )}
      <dl class="sheet__facts sheet-detail__facts">
        <Fact label={t('sheets.level')}>{codeLabel(t, 'sheets.level', sheet.level)}</Fact>
        <Fact label={t('sheets.owner')} testid="sheet-owner">
          {owner ? (owner.acronym ? `${owner.acronym} — ${owner.name}` : owner.name) : '—'}
        </Fact>
        <DueFact sheet={sheet} />
        <ProgressFact sheet={sheet} />
        <ThemeFact sheet={sheet} />
        <OpinionFact sheet={sheet} opinions={opinions} />
        {sheet.outcome && (
          <Fact label={t(sheet.status === 'abandoned' ? 'sheets.outcome.abandoned' : 'sheets.outcome.done')} class="sheet__wide">
            {sheet.outcome}
          </Fact>
        )}
      </dl>
      {sheet.import_line ? <p class="sheet-detail__import">{t('sheets.imported', { line: sheet.import_line })}</p> : null}
      <SheetActions live={live} user={user} sheet={sheet} titleId="sheet-title" onDone={onDone} focusAfter={focusAfter} />
      <section class="sheet-detail__history" aria-labelledby="sheet-history-title">
        <h2 id="sheet-history-title">{t('sheets.history.title')}</h2>
        <ol class="sheet-history" data-testid="sheet-history">
          {history.map((h, i) => (
            <li key={i}>
              <time dateTime={h.at}>{formatInstant(lang, h.at)}</time>
              <p class="sheet-history__what">
                {h.text}
                {h.by && <span class="sheet-history__by"> — {t('sheets.history.by', { org: h.by })}</span>}
              </p>
              {h.note && <p class="sheet-history__note">{h.note}</p>}
            </li>
          ))}
        </ol>
      </section>
    </>
  );
}
