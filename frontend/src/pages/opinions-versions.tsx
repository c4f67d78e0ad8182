// "Versions et auteurs" on a text's record: who wrote each passage of the text (colours
// per organisation, on demand, with who and when on hover and in a legend), and the
// comparison of any two versions, inline or side by side. Everything is rebuilt in the
// browser from the text's changes (`opinion-updates`), the log's own record.
import { useMemo, useState } from 'preact/hooks';
import { useLiveView } from '../hooks';
import { orgSlot } from '../presence';
import type { LiveClient } from '../live';
import { useI18n } from '../ui';
import type { Actor, OpinionDetail } from './opinions-model';
import { Section, formatDateTime, label, whoText } from './opinions-ui';
import { type ChangeRow, type DiffPart, authorship, diffWords, textAt } from './opinions-versions-model';

export function VersionsSection({ live, opinion: o, acronyms }: { live: LiveClient; opinion: OpinionDetail; acronyms: ReadonlyMap<string, string> }) {
  const { lang, t } = useI18n();
  const updates = useLiveView<ChangeRow>(live, `opinion-updates:${o.id}`);
  const [showAuthors, setShowAuthors] = useState(false);
  const rows = updates.items;
  const last = rows.reduce((m, r) => Math.max(m, r.version), 0);
  const frozen = o.frozen_versions.at(-1)?.version;
  const [a, setA] = useState<number | null>(null);
  const [b, setB] = useState<number | null>(null);
  const [sideBySide, setSideBySide] = useState(false);
  const from = a ?? (frozen && frozen < last ? frozen : Math.max(1, last - 1));
  const to = b ?? last;
  const who = (actor: Actor | undefined) => whoText(lang, t, actor, acronyms);

  const byVersion = useMemo(() => new Map(rows.map((r) => [r.version, r])), [rows]);
  const parts = useMemo(() => (last > 0 ? diffWords(textAt(rows, from), textAt(rows, to)) : []), [rows, from, to, last]);
  if (!updates.loaded || last === 0) return null;

  const versionLabel = (v: number) => {
    const r = byVersion.get(v);
    const mark = o.frozen_versions.some((f) => f.version === v) ? ` — ${t('opinions.versions.frozen')}` : '';
    return r
      ? t('opinions.versions.option', { version: v, date: formatDateTime(lang, r.time), who: who(r.actor) }) + mark
      : t('opinions.versions.option.bare', { version: v }) + mark;
  };
  const options = Array.from({ length: last }, (_, i) => last - i);
  const changed = parts.some((p) => p.op !== '=');
  return (
    <Section id="op-versions" title={t('opinions.versions.title')}>
      <div class="op-check">
        <input id="op-authors" type="checkbox" checked={showAuthors} onChange={(e) => setShowAuthors((e.currentTarget as HTMLInputElement).checked)} />
        <label for="op-authors">{t('opinions.versions.showAuthors')}</label>
      </div>
      {showAuthors && <Authors rows={rows} who={who} />}

      <h3>{t('opinions.versions.compare')}</h3>
      <div class="op-compare__controls">
        {(
          [
            ['from', from, setA],
            ['to', to, setB],
          ] as const
        ).map(([which, value, set]) => (
          <div class="field" key={which}>
            <label for={`op-compare-${which}`}>{t(`opinions.versions.${which}`)}</label>
            <select
              id={`op-compare-${which}`}
              value={String(value)}
              onChange={(e) => set(Number((e.currentTarget as HTMLSelectElement).value))}
              data-testid={`compare-${which}`}
            >
              {options.map((v) => (
                <option key={v} value={v}>
                  {versionLabel(v)}
                </option>
              ))}
            </select>
          </div>
        ))}
        <div class="op-check">
          <input id="op-compare-side" type="checkbox" checked={sideBySide} onChange={(e) => setSideBySide((e.currentTarget as HTMLInputElement).checked)} />
          <label for="op-compare-side">{t('opinions.versions.sideBySide')}</label>
        </div>
      </div>
      {!changed ? (
        <p class="empty" data-testid="compare-same">
          {t('opinions.versions.same')}
        </p>
      ) : sideBySide ? (
        <div class="op-compare op-compare--side" data-testid="compare-side">
          <div>
            <h4>{t('opinions.versions.version', { version: from })}</h4>
            <DiffText parts={parts} keep="-" />
          </div>
          <div>
            <h4>{t('opinions.versions.version', { version: to })}</h4>
            <DiffText parts={parts} keep="+" />
          </div>
        </div>
      ) : (
        <div class="op-compare" data-testid="compare-inline">
          <DiffText parts={parts} />
        </div>
      )}
      <p class="op-meta">{t('opinions.versions.legend')}</p>
    </Section>
  );
}

/** The parts of a comparison: all of them (inline), or one side's. */
function DiffText({ parts, keep }: { parts: DiffPart[]; keep?: '-' | '+' }) {
  const { t } = useI18n();
  return (
    <p class="op-diff">
      {parts.map((p, i) =>
        p.op === '=' ? (
          <span key={i}>{p.text}</span>
        ) : keep && p.op !== keep ? null : p.op === '-' ? (
          <del key={i} title={t('opinions.versions.removed')}>
            {p.text}
          </del>
        ) : (
          <ins key={i} title={t('opinions.versions.added')}>
            {p.text}
          </ins>
        ),
      )}
    </p>
  );
}

/** The current text coloured by who wrote each passage, and its legend. */
function Authors({ rows, who }: { rows: readonly ChangeRow[]; who: (a: Actor | undefined) => string }) {
  const { lang, t } = useI18n();
  const { text, runs, rows: used } = useMemo(() => authorship(rows), [rows]);
  // Each organisation's colour, the same as its cursor's (orgSlot), in the order they first wrote.
  const slots = new Map<string, number>();
  const written = new Map<string, number>();
  for (const r of runs) {
    const org = used[r.by]?.actor?.organisation_id ?? '';
    if (!slots.has(org)) slots.set(org, orgSlot(org));
    written.set(org, (written.get(org) ?? 0) + (r.to - r.from));
  }
  return (
    <>
      <ul class="op-authors__legend" data-testid="authors-legend">
        {[...slots].map(([org, slot]) => (
          <li key={org} data-org={org}>
            <span class={`op-author op-author--${slot} op-authors__swatch`} aria-hidden="true" />{' '}
            {t('opinions.versions.wrote', { who: who({ organisation_id: org }), n: written.get(org) ?? 0 })}
          </li>
        ))}
      </ul>
      <p class="op-diff op-authors" data-testid="authors-text">
        {runs.map((r) => {
          const u = used[r.by];
          const org = u?.actor?.organisation_id ?? '';
          const title = u
            ? t('opinions.versions.by', { who: who(u.actor), date: formatDateTime(lang, u.time), version: u.version, source: label(t, 'text.source', u.source) })
            : '';
          return (
            <span key={r.from} class={`op-author op-author--${slots.get(org) ?? 0}`} title={title} data-org={org} data-version={u?.version}>
              {text.slice(r.from, r.to)}
            </span>
          );
        })}
      </p>
    </>
  );
}
