// Time travel over one text (#/opinions/<id>, section "Remonter le temps"): a slider over
// every step of its history — each change of its text, each decision, each ballot of its
// consultations, in log order — that shows the text and the tallies as they were then,
// read from the server's views with ?at=<position>.
import { useMemo } from 'preact/hooks';
import { readAt } from '../api';
import { useLiveView } from '../hooks';
import { plural } from '../i18n';
import type { LiveClient } from '../live';
import { TravelSlider } from '../travel';
import { useI18n } from '../ui';
import { type Consultation, tallyBars } from './consultations-model';
import { TextBlock } from './opinions-detail';
import type { OpinionDetail } from './opinions-model';
import { historySteps, type Step, type TextUpdate } from './opinions-travel-model';
import { OpinionStatus, Section, label, whoText } from './opinions-ui';
import { type TimelineEntry, describeEntry } from './timeline-model';
import { useOrgRefs } from './timeline-ui';

/** What the server's views showed at a step. */
interface PastState {
  opinion?: OpinionDetail;
  consultations: Consultation[];
}

export function TimeTravel({ live, opinion: o, acronyms }: { live: LiveClient; opinion: OpinionDetail; acronyms: ReadonlyMap<string, string> }) {
  const { lang, t } = useI18n();
  const timeline = useLiveView<TimelineEntry>(live, 'timeline');
  const updates = useLiveView<TextUpdate>(live, `opinion-updates:${o.id}`);
  const orgs = useOrgRefs(live);
  const consultationIds = o.consultations.map((c) => c.id);
  const steps = useMemo(
    () => historySteps(timeline.items, updates.items, new Set([o.id, ...consultationIds])),
    [timeline.items, updates.items, o.id, consultationIds.join(',')],
  );
  if (steps.length < 2) return null;
  const describe = (s: Step) =>
    s.entry
      ? describeEntry(lang, s.entry, orgs, t)
      : t('opinions.travel.textChange', {
          version: s.update?.version ?? 0,
          who: whoText(lang, t, s.update?.actor, acronyms),
          source: label(t, 'text.source', s.update?.source ?? ''),
        });
  const load = async (at: number, signal: AbortSignal): Promise<PastState> => {
    const [opinion, ...cs] = await Promise.all([
      readAt<OpinionDetail>(`opinion-details:${o.id}`, at, signal),
      ...consultationIds.map((id) => readAt<Consultation>(`consultations:${id}`, at, signal)),
    ]);
    return { opinion: opinion as OpinionDetail | undefined, consultations: cs.filter((c): c is Consultation => c !== undefined) };
  };
  return (
    <Section id="op-travel" title={t('opinions.travel.title')}>
      <p class="op-meta">{t('opinions.travel.intro')}</p>
      <TravelSlider id="op-travel" steps={steps} describe={describe} load={load} render={(past, position) => <PastView past={past} position={position} />} />
    </Section>
  );
}

/** The text and the consultations as they were at a past position. */
function PastView({ past, position }: { past: PastState; position: number }) {
  const { lang, t } = useI18n();
  const p = past.opinion;
  return (
    <>
      <h3>{t('opinions.travel.asOf', { position })}</h3>
      {p ? (
        <>
          <p class="op-meta">
            <OpinionStatus status={p.status} outcome={p.outcome} /> · {t('opinions.travel.version', { version: p.version })}
          </p>
          <TextBlock text={p.text} testid="travel-text" />
        </>
      ) : (
        <p class="empty">{t('opinions.travel.notYet')}</p>
      )}
      {past.consultations.map((c) => {
        const r = c.result ?? c.tally;
        return (
          <div class="op-travel__vote" key={c.id} data-testid="travel-consultation" data-id={c.id}>
            <h4>{c.question}</h4>
            <p class="op-meta" data-testid="travel-turnout">
              {c.status === 'closed' ? t('opinions.travel.closed') : t('opinions.travel.open')} ·{' '}
              {plural(lang, 'opinions.travel.turnout', c.turnout.ballots, { electors: c.turnout.electors })}
            </p>
            {r ? (
              <ul class="op-travel__tally" data-testid="travel-tally">
                {tallyBars(c.options, r).map((b) => (
                  <li key={b.option.id} data-option={b.option.id} data-weight={b.weight}>
                    {plural(lang, 'opinions.travel.count', b.ballots, {
                      option: b.option.label,
                      weight: new Intl.NumberFormat(lang).format(b.weight),
                    })}
                  </li>
                ))}
              </ul>
            ) : (
              <p class="op-meta">{t(c.secret ? 'opinions.travel.secret' : 'opinions.travel.atClose')}</p>
            )}
          </div>
        );
      })}
    </>
  );
}
