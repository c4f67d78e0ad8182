// Pieces of the timeline that the dashboard and the notifications show too: one entry as
// a sentence linking to its object, with its time.
import { useMemo } from 'preact/hooks';
import type { Organisation } from '../api';
import { useLiveView } from '../hooks';
import type { LiveClient } from '../live';
import { useI18n } from '../ui';
import { type OrgRef, type TimelineEntry, actorDetail, formatClock, formatTime, sentenceParts } from './timeline-model';

/** The organisations by ID, for naming them in sentences (live). */
export function useOrgRefs(live: LiveClient): Map<string, OrgRef> {
  const orgs = useLiveView<Organisation>(live, 'organisations');
  return useMemo(() => new Map(orgs.items.map((o) => [o.id, { id: o.id, acronym: o.acronym, name: o.name }])), [orgs.items]);
}

/**
 * One entry: its time (the clock only, when the day is already said around it) and its
 * sentence, whose object's name links to the object's page; the address of who acted
 * beside it when the sentence names their organisation only.
 */
export function EntryLine({
  entry,
  orgs,
  clockOnly = false,
  onFollow,
}: {
  entry: TimelineEntry;
  orgs: ReadonlyMap<string, OrgRef>;
  clockOnly?: boolean;
  onFollow?: () => void;
}) {
  const { lang, t } = useI18n();
  const parts = sentenceParts(lang, entry, orgs, t);
  const who = actorDetail(entry.actor);
  return (
    <>
      <time class="entry__time" dateTime={entry.time} title={formatTime(lang, entry.time)}>
        {clockOnly ? formatClock(lang, entry.time) : formatTime(lang, entry.time)}
      </time>
      <span class="entry__text">
        {parts.map((p, i) =>
          p.href ? (
            <a key={i} href={p.href} onClick={onFollow}>
              {p.text}
            </a>
          ) : (
            p.text
          ),
        )}
        {who && <span class="entry__who"> · {who}</span>}
      </span>
    </>
  );
}
