// One text's record (#/opinions/<id>), live over `opinion-details:<id>`: its text, what
// the user may do to it, its amendments, the version frozen for the vote, the
// consultations and action sheets that refer to it, and its history.
import { useRef } from 'preact/hooks';
import { useLiveRow } from '../hooks';
import type { LiveClient } from '../live';
import { href } from '../router';
import type { User } from '../session';
import { plural } from '../i18n';
import { BackLink, Fact, LiveCount, useI18n } from '../ui';
import { AmendmentList, ProposeAmendment } from './opinions-amendments';
import { CodraftEditor } from './opinions-editor';
import { TimeTravel } from './opinions-travel';
import { VersionsSection } from './opinions-versions';
import { Actions, EditText } from './opinions-forms';
import {
  type Actor,
  type OpinionDetail,
  allowedActions,
  groupedHash,
  paragraphs,
  pendingAmendments,
} from './opinions-model';
import { OpinionStatus, Section, When, formatDateTime, formatDay, label, whoText } from './opinions-ui';

export interface DetailProps {
  live: LiveClient;
  user: User;
  id: string;
  acronyms: ReadonlyMap<string, string>;
}

export function OpinionDetailPage({ live, user, id, acronyms }: DetailProps) {
  const { lang, t } = useI18n();
  const { row: o, loaded } = useLiveRow<OpinionDetail>(live, 'opinion-details', id);
  const textRef = useRef<HTMLDivElement>(null);
  const views = [`opinion-details:${id}`, 'opinions'];

  let body;
  if (!o) {
    body = (
      <>
        <h1 data-autofocus tabIndex={-1}>
          {t('opinions.title')}
        </h1>
        <p class={loaded ? 'alert alert--info' : 'empty'} role="status" data-testid={loaded ? 'opinion-missing' : undefined}>
          {loaded ? t('opinions.notFound') : t('opinions.detail.loading')}
        </p>
      </>
    );
  } else {
    const allowed = allowedActions(user, o);
    const who = (a: Actor | undefined) => whoText(lang, t, a, acronyms);
    body = (
      <>
        <p class="eyebrow">{label(t, 'kind', o.kind)}</p>
        <h1 data-autofocus tabIndex={-1} data-testid="opinion-title">
          {o.title}
        </h1>
        <dl class="facts op-facts">
          <Fact label={t('opinions.facts.status')}>
            <OpinionStatus status={o.status} outcome={o.outcome} />
          </Fact>
          <Fact label={t('opinions.facts.group')}>
            {o.group_name ? <a href={href('groups', o.group_id)}>{o.group_name}</a> : '—'}
          </Fact>
          {o.theme && label(t, 'theme', o.theme) !== o.group_name && (
            <Fact label={t('opinions.facts.theme')}>{label(t, 'theme', o.theme)}</Fact>
          )}
          <Fact label={t('opinions.facts.version')} testid="opinion-version">
            {new Intl.NumberFormat(lang).format(o.version)}
          </Fact>
          <Fact label={t('opinions.facts.length')}>{plural(lang, 'opinions.length', o.text_length)}</Fact>
          <Fact label={t('opinions.facts.updated')}>
            <When iso={o.updated_at} />
          </Fact>
        </dl>
        <div class="layout op-layout">
          <div class="op-main">
            {allowed.editText && (
              <Section id="op-editor" title={t('opinions.editor.title')}>
                <CodraftEditor live={live} opinionId={o.id} text={o.text} version={o.version} position={o.position} acronyms={acronyms} />
              </Section>
            )}
            <Section id="op-text" title={t('opinions.text.title')}>
              {o.text_error && (
                <div class="alert alert--error" role="alert">
                  <p>{t('opinions.text.error')}</p>
                </div>
              )}
              <TextBlock text={o.text} containerRef={textRef} testid="opinion-text" />
              {o.last_edit && (
                <p class="op-meta" data-testid="last-edit">
                  {t('opinions.text.lastEdit', {
                    version: o.last_edit.version,
                    date: formatDateTime(lang, o.last_edit.at),
                    who: `${who(o.last_edit.actor)} — ${label(t, 'text.source', o.last_edit.source)}`,
                  })}
                </p>
              )}
              {o.status === 'in_review' && <p class="op-meta">{t('opinions.text.readOnlyReview')}</p>}
              {allowed.editText && <EditText live={live} opinion={o} views={views} />}
            </Section>
            <Section
              id="op-amendments"
              title={t('opinions.amendments.title')}
              extra={
                <LiveCount testid="amendments-count">
                  {o.amendments.length === 0
                    ? t('opinions.amendments.none')
                    : plural(lang, 'opinions.amendments.count', o.amendments.length, {
                        pending: pendingAmendments(o).length,
                      })}
                </LiveCount>
              }
            >
              <AmendmentList live={live} opinion={o} views={views} who={who} decide={allowed.decideAmendments} />
              {allowed.propose && <ProposeAmendment live={live} opinion={o} views={views} textRef={textRef} />}
            </Section>
            {o.frozen_versions.length > 0 && (
              <Section id="op-frozen" title={t('opinions.frozen.title')}>
                <p class="op-meta">{t('opinions.frozen.intro')}</p>
                {o.frozen_versions.map((f) => (
                  <div class="op-frozen" key={f.sha256 + f.version} data-testid="frozen-version">
                    <p>
                      {t('opinions.frozen.version', {
                        version: f.version,
                        date: formatDateTime(lang, f.at),
                      })}
                    </p>
                    <p>
                      <span class="op-frozen__label">{t('opinions.frozen.hash')}</span>{' '}
                      <code class="op-hash" data-testid="frozen-hash" data-sha256={f.sha256}>
                        {groupedHash(f.sha256)}
                      </code>
                    </p>
                    <details>
                      <summary>{t('opinions.frozen.show')}</summary>
                      <TextBlock text={f.text} />
                    </details>
                  </div>
                ))}
              </Section>
            )}
            <LinksSection
              id="op-consultations"
              title={t('opinions.consultations.title')}
              links={o.consultations.map((c) => ({
                id: c.id,
                href: href('consultations', c.id),
                text: c.question,
                meta: c.closed
                  ? t('opinions.consultations.closed', { date: formatDay(lang, c.closed_at ?? '') })
                  : `${t('opinions.consultations.open')} — ${t('opinions.consultations.deadline', { date: formatDay(lang, c.deadline) })}`,
                warning: c.text_changed
                  ? t('opinions.consultations.textChanged', { date: formatDateTime(lang, c.text_changed_at) })
                  : undefined,
              }))}
            />
            <LinksSection
              id="op-sheets"
              title={t('opinions.sheets.title')}
              links={o.action_sheets.map((s) => ({
                id: s.id,
                href: href('sheets', s.id),
                text: s.title,
                meta: `${label(t, 'sheets.status', s.status)} — ${t('opinions.sheets.due', { date: formatDay(lang, s.due_date) })}`,
              }))}
            />
            <VersionsSection live={live} opinion={o} acronyms={acronyms} />
            <TimeTravel live={live} opinion={o} acronyms={acronyms} />
          </div>
          <div class="op-side">
            <p>
              <a href={href('opinions', o.id, 'report')} data-testid="report-link">
                {t('opinions.report.open')}
              </a>
            </p>
            <Actions live={live} opinion={o} allowed={allowed} views={views} />
            <Section id="op-history" title={t('opinions.history.title')}>
              <ol class="op-history">
                {o.history.map((h, i) => (
                  <li key={i}>
                    <p class="op-history__what">
                      {h.from ? label(t, 'status', h.status) : t('opinions.history.created')}
                    </p>
                    <p class="op-meta">
                      <When iso={h.at} /> · {t('opinions.history.by', { who: who(h.actor) })}
                    </p>
                    {h.reason && <p class="op-meta">{t('opinions.history.reason', { reason: h.reason })}</p>}
                    {h.outcome && (
                      <p class="op-meta">{t('opinions.history.outcome', { outcome: label(t, 'outcome', h.outcome) })}</p>
                    )}
                  </li>
                ))}
              </ol>
            </Section>
          </div>
        </div>
      </>
    );
  }

  return (
    <div class="container opinions">
      <BackLink href={href('opinions')} class="op-back">
        {t('opinions.back')}
      </BackLink>
      <section class="op-detail" aria-label={o?.title ?? t('opinions.title')} data-loaded={loaded ? 'true' : 'false'} data-id={id}>
        {body}
      </section>
    </div>
  );
}

/** A section listing what refers to the text (links with a line about each); none when empty. */
function LinksSection({
  id,
  title,
  links,
}: {
  id: string;
  title: string;
  links: { id: string; href: string; text: string; meta: string; warning?: string }[];
}) {
  if (links.length === 0) return null;
  return (
    <Section id={id} title={title}>
      <ul class="op-links">
        {links.map((l) => (
          <li key={l.id}>
            <a href={l.href}>{l.text}</a>
            <span class="op-meta">{l.meta}</span>
            {l.warning && (
              <strong class="op-warning" data-testid="text-changed">
                {l.warning}
              </strong>
            )}
          </li>
        ))}
      </ul>
    </Section>
  );
}

/** A text as paragraphs; single line breaks stay (white-space: pre-line). */
export function TextBlock({
  text,
  containerRef,
  testid,
}: {
  text: string;
  containerRef?: { current: HTMLDivElement | null };
  testid?: string;
}) {
  const { t } = useI18n();
  const parts = paragraphs(text);
  return (
    <div class="op-text" ref={containerRef} data-testid={testid}>
      {parts.length === 0 ? <p class="empty">{t('opinions.text.empty')}</p> : parts.map((p, i) => <p key={i}>{p}</p>)}
    </div>
  );
}
