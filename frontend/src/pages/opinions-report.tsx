// The printable history report of one text (#/opinions/<id>/report): everything the
// committee decided about it, in one document to print or save as PDF — its status
// changes, how it was drafted (who changed it, how often), its amendments, the versions
// frozen for a vote with their SHA-256, the votes and their results, the action sheets.
import { useLiveRow, useLiveView } from '../hooks';
import { plural } from '../i18n';
import type { LiveClient } from '../live';
import { href } from '../router';
import { BackLink, Fact, useI18n } from '../ui';
import type { Consultation } from './consultations-model';
import { TextBlock } from './opinions-detail';
import { type Actor, type OpinionDetail, groupedHash } from './opinions-model';
import { summariseChanges, type TextUpdate } from './opinions-travel-model';
import { formatDateTime, formatDay, label, whoText } from './opinions-ui';

export function OpinionReport({ live, id, acronyms }: { live: LiveClient; id: string; acronyms: ReadonlyMap<string, string> }) {
  const { lang, t } = useI18n();
  const { row: o, loaded } = useLiveRow<OpinionDetail>(live, 'opinion-details', id);
  const updates = useLiveView<TextUpdate>(live, `opinion-updates:${id}`);
  const consultations = useLiveView<Consultation>(live, 'consultations');
  const who = (a: Actor | undefined) => whoText(lang, t, a, acronyms);

  if (!o) {
    return (
      <div class="container opinions op-report" data-loaded={loaded ? 'true' : 'false'}>
        <h1 data-autofocus tabIndex={-1}>
          {t('opinions.report.title')}
        </h1>
        <p class={loaded ? 'empty' : 'checking'} role="status">
          {loaded ? t('opinions.notFound') : t('opinions.detail.loading')}
        </p>
      </div>
    );
  }
  const votes = o.consultations.map((link) => ({ link, row: consultations.items.find((c) => c.id === link.id) }));
  const changes = summariseChanges(updates.items);
  return (
    <article class="container opinions op-report" data-loaded={loaded && updates.loaded ? 'true' : 'false'} data-id={id}>
      <div class="op-report__tools">
        <BackLink href={href('opinions', id)} class="op-back">{t('opinions.report.back')}</BackLink>
        <button type="button" class="button" onClick={() => window.print()} data-testid="report-print">
          {t('opinions.report.print')}
        </button>
      </div>
      <p class="eyebrow">{t('opinions.report.eyebrow')}</p>
      <h1 data-autofocus tabIndex={-1} data-testid="report-title">
        {o.title}
      </h1>
      <p class="op-meta" data-testid="report-generated">
        {t('opinions.report.generated', { date: formatDateTime(lang, new Date().toISOString()), position: o.position })}
      </p>
      <dl class="facts">
        <Fact label={t('opinions.facts.status')}>{label(t, 'status', o.status)}</Fact>
        <Fact label={t('opinions.facts.group')}>{o.group_name ?? '—'}</Fact>
        <Fact label={t('opinions.facts.version')}>{o.version}</Fact>
      </dl>

      <section aria-labelledby="report-text">
        <h2 id="report-text">{t('opinions.report.text')}</h2>
        <TextBlock text={o.text} testid="report-text" />
      </section>

      <section aria-labelledby="report-history">
        <h2 id="report-history">{t('opinions.report.history')}</h2>
        <ol class="op-report__list" data-testid="report-history">
          {o.history.map((h, i) => (
            <li key={i}>
              <strong>{h.from ? label(t, 'status', h.status) : t('opinions.history.created')}</strong> —{' '}
              {formatDateTime(lang, h.at)}, {t('opinions.history.by', { who: who(h.actor) })}
              {h.reason && ` — ${t('opinions.history.reason', { reason: h.reason })}`}
              {h.outcome && ` — ${t('opinions.history.outcome', { outcome: label(t, 'outcome', h.outcome) })}`}
            </li>
          ))}
        </ol>
      </section>

      <section aria-labelledby="report-drafting">
        <h2 id="report-drafting">{t('opinions.report.drafting')}</h2>
        {changes.length === 0 ? (
          <p class="empty">{t('opinions.report.noChanges')}</p>
        ) : (
          <ul class="op-report__list" data-testid="report-drafting">
            {changes.map((c, i) => (
              <li key={i}>
                {plural(lang, 'opinions.report.changes', c.count, {
                  who: who(c.actor),
                  first: formatDateTime(lang, c.first),
                  last: formatDateTime(lang, c.last),
                  how: c.sources.map((s) => label(t, 'text.source', s)).join(', '),
                })}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="report-amendments">
        <h2 id="report-amendments">{t('opinions.amendments.title')}</h2>
        {o.amendments.length === 0 ? (
          <p class="empty">{t('opinions.amendments.none')}</p>
        ) : (
          <ol class="op-report__list" data-testid="report-amendments">
            {o.amendments.map((a) => (
              <li key={a.id}>
                <strong>{label(t, 'amendment.state', a.state)}</strong> — « {a.passage} » → « {a.replacement} » —{' '}
                {t('opinions.report.proposed', { who: who(a.proposed_by), date: formatDateTime(lang, a.proposed_at) })}
                {a.decided_at && ` — ${t('opinions.report.decided', { who: who(a.decided_by), date: formatDateTime(lang, a.decided_at) })}`}
              </li>
            ))}
          </ol>
        )}
      </section>

      {o.frozen_versions.length > 0 && (
        <section aria-labelledby="report-frozen">
          <h2 id="report-frozen">{t('opinions.frozen.title')}</h2>
          {o.frozen_versions.map((f) => (
            <div key={f.sha256 + f.version} class="op-report__frozen">
              <p>
                {t('opinions.frozen.version', { version: f.version, date: formatDateTime(lang, f.at) })} —{' '}
                {t('opinions.frozen.hash')}{' '}
                <code class="op-hash" data-testid="report-hash" data-sha256={f.sha256}>
                  {groupedHash(f.sha256)}
                </code>
              </p>
            </div>
          ))}
        </section>
      )}

      {votes.length > 0 && (
        <section aria-labelledby="report-votes">
          <h2 id="report-votes">{t('opinions.consultations.title')}</h2>
          <ul class="op-report__list" data-testid="report-votes">
            {votes.map(({ link, row }) => (
              <li key={link.id}>
                <strong>{link.question}</strong> — {t('opinions.report.opened', { date: formatDateTime(lang, link.opened_at) })}
                {row?.result
                  ? ` — ${t('opinions.report.result', {
                      outcome: t(`consultations.outcome.${row.result.outcome}`),
                      ballots: row.result.ballots_cast,
                      electors: row.electorate.length,
                    })}`
                  : ` — ${t('opinions.consultations.open')}`}
                {link.text_changed && (
                  <strong class="op-warning">
                    {t('opinions.consultations.textChanged', { date: formatDateTime(lang, link.text_changed_at) })}
                  </strong>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}

      {o.action_sheets.length > 0 && (
        <section aria-labelledby="report-sheets">
          <h2 id="report-sheets">{t('opinions.sheets.title')}</h2>
          <ul class="op-report__list">
            {o.action_sheets.map((s) => (
              <li key={s.id}>
                {s.title} — {label(t, 'sheets.status', s.status)} — {t('opinions.sheets.due', { date: formatDay(lang, s.due_date) })}
              </li>
            ))}
          </ul>
        </section>
      )}
    </article>
  );
}
