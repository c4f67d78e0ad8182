// The whole committee back in time (#/timeline, section "Remonter le temps"): a slider
// over the timeline's entries, oldest first, showing what the committee counted at each
// step — organisations, working groups, texts by status, consultations, action sheets —
// read from the server's views with ?at=<position>.
import { useMemo } from 'preact/hooks';
import { readView } from '../api';
import type { MessageKey } from '../i18n';
import type { LiveRow } from '../live';
import { TravelSlider } from '../travel';
import { Fact, useI18n } from '../ui';
import { type OrgRef, type TimelineEntry, describeEntry } from './timeline-model';

interface StatusRow extends LiveRow {
  status?: string;
}

/** What the committee counted at a step. */
interface Counts {
  organisations: number;
  groups: number;
  opinions: Map<string, number>;
  consultationsOpen: number;
  consultationsClosed: number;
  sheets: number;
}

/** How many rows have each status. */
export function byStatus(rows: readonly StatusRow[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of rows) out.set(r.status ?? '', (out.get(r.status ?? '') ?? 0) + 1);
  return out;
}

export function CommitteeTravel({ entries, orgs }: { entries: readonly TimelineEntry[]; orgs: ReadonlyMap<string, OrgRef> }) {
  const { lang, t } = useI18n();
  const steps = useMemo(() => [...entries].sort((a, b) => a.position - b.position), [entries]);
  const load = async (at: number, signal: AbortSignal): Promise<Counts> => {
    const read = (view: string) => readView<StatusRow>(view, { at, signal }).then((r) => r.items);
    const [organisations, groups, opinions, consultations, sheets] = await Promise.all(
      ['organisations', 'groups', 'opinions', 'consultations', 'action-sheets'].map(read),
    );
    const cons = byStatus(consultations!);
    return {
      organisations: organisations!.length,
      groups: groups!.length,
      opinions: byStatus(opinions!),
      consultationsOpen: cons.get('open') ?? 0,
      consultationsClosed: cons.get('closed') ?? 0,
      sheets: sheets!.length,
    };
  };
  const render = (c: Counts, position: number) => (
    <>
      <h3>{t('timeline.travel.asOf', { position })}</h3>
      <dl class="facts" data-testid="travel-counts">
        <Fact label={t('timeline.travel.organisations')} testid="travel-organisations">
          {c.organisations}
        </Fact>
        <Fact label={t('timeline.travel.groups')} testid="travel-groups">
          {c.groups}
        </Fact>
        <Fact label={t('timeline.travel.opinions')} testid="travel-opinions">
          {[...c.opinions].map(([status, n]) => `${t(`opinions.status.${status}` as MessageKey)} : ${n}`).join(' · ') || '0'}
        </Fact>
        <Fact label={t('timeline.travel.consultations')} testid="travel-consultations">
          {t('timeline.travel.consultationsCount', { open: c.consultationsOpen, closed: c.consultationsClosed })}
        </Fact>
        <Fact label={t('timeline.travel.sheets')} testid="travel-sheets">
          {c.sheets}
        </Fact>
      </dl>
    </>
  );
  return (
    <section class="timeline-travel" aria-labelledby="tl-travel-title" data-testid="committee-travel">
      <h2 id="tl-travel-title">{t('timeline.travel.title')}</h2>
      <p class="field__hint">{t('timeline.travel.intro')}</p>
      <TravelSlider id="tl-travel" steps={steps} describe={(e) => describeEntry(lang, e, orgs, t)} load={load} render={render} />
    </section>
  );
}
