// The auditors' stream browser (#/audit, #/audit/<stream>): the log's streams by
// category, then one stream's events — envelope, hashes and payload — as the log holds
// them (a secret ballot's payload is withheld by the server). Auditors only: the server
// refuses everyone else, and the navigation offers the page to auditors only.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ProblemError, getJSON, problemMessage } from '../api';
import { FilterSelect } from '../forms';
import { href } from '../router';
import { BackLink, useI18n } from '../ui';
import { type BrowsedEvent, type StreamInfo, categories, firstBrokenLink } from './audit-model';
import type { PageProps } from './page';
import './audit.css';

/** Loads a JSON resource; the error is the server's message in the reader's language. */
function useResource<T>(path: string): { data: T | null; error: string | null } {
  const { lang } = useI18n();
  const [state, setState] = useState<{ data: T | null; error: string | null }>({ data: null, error: null });
  useEffect(() => {
    const abort = new AbortController();
    setState({ data: null, error: null });
    getJSON<T>(path, { signal: abort.signal }).then(
      (data) => setState({ data, error: null }),
      (err: unknown) => {
        if (abort.signal.aborted) return;
        setState({ data: null, error: err instanceof ProblemError ? (problemMessage(err.problem, lang) ?? err.message) : String(err) });
      },
    );
    return () => abort.abort();
  }, [path]);
  return state;
}

function formatTime(lang: string, iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'medium' }).format(d);
}

export function AuditPage({ id }: PageProps) {
  return id ? <StreamPage stream={id} /> : <StreamList />;
}

function StreamList() {
  const { lang, t } = useI18n();
  const { data, error } = useResource<{ items: StreamInfo[] }>('/api/v1/audit/streams');
  const [category, setCategory] = useState('');
  const all = data?.items ?? [];
  const cats = useMemo(() => categories(all), [all]);
  const shown = all.filter((s) => !category || s.category === category);
  return (
    <div class="container audit" data-loaded={data || error ? 'true' : 'false'}>
      <h1 data-autofocus tabIndex={-1}>
        {t('audit.title')}
      </h1>
      <p class="lead">{t('audit.intro')}</p>
      {error && (
        <p class="alert alert--error" role="alert" data-testid="audit-error">
          {error}
        </p>
      )}
      {!data && !error && (
        <p class="checking" role="status">
          {t('audit.loading')}
        </p>
      )}
      {data && (
        <>
          <form class="audit-filters" role="search" aria-label={t('audit.filters')} onSubmit={(e) => e.preventDefault()}>
            <FilterSelect
              id="audit-category"
              label={t('audit.category')}
              value={category}
              onChange={(e: Event) => setCategory((e.currentTarget as HTMLSelectElement).value)}
              any={t('audit.category.any')}
              options={cats.map((c) => ({ value: c.category, label: `${c.category} (${c.streams})` }))}
            />
          </form>
          <table class="table audit-streams" data-testid="audit-streams">
            <caption>{t('audit.streams', { n: shown.length })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('audit.col.stream')}</th>
                <th scope="col">{t('audit.col.events')}</th>
                <th scope="col">{t('audit.col.positions')}</th>
                <th scope="col">{t('audit.col.last')}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((s) => (
                <tr key={s.stream} data-stream={s.stream} data-category={s.category}>
                  <th scope="row">
                    <a href={href('audit', s.stream)}>{s.stream}</a>
                  </th>
                  <td>{s.events}</td>
                  <td>
                    {s.first_position}–{s.last_position}
                  </td>
                  <td>
                    <code>{s.last_type}</code> · {formatTime(lang, s.last_time)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}

function StreamPage({ stream }: { stream: string }) {
  const { lang, t } = useI18n();
  const { data, error } = useResource<{ stream: string; items: BrowsedEvent[] }>(`/api/v1/audit/streams/${encodeURIComponent(stream)}`);
  const evs = data?.items ?? [];
  const broken = data ? firstBrokenLink(evs) : -1;
  return (
    <div class="container audit" data-loaded={data || error ? 'true' : 'false'}>
      <BackLink href={href('audit')} class="audit-back">
        {t('audit.back')}
      </BackLink>
      <h1 data-autofocus tabIndex={-1}>
        <code>{stream}</code>
      </h1>
      {error && (
        <p class="alert alert--error" role="alert" data-testid="audit-error">
          {error}
        </p>
      )}
      {data && (
        <p class={broken < 0 ? 'alert alert--success' : 'alert alert--error'} role="status" data-testid="audit-chain">
          {broken < 0 ? t('audit.chain.ok', { n: evs.length }) : t('audit.chain.broken', { revision: broken })}
        </p>
      )}
      <ol class="audit-events" data-testid="audit-events">
        {evs.map((e) => (
          <li key={e.id} data-type={e.type} data-revision={e.revision} data-redacted={e.redacted ? 'true' : undefined}>
            <h2 class="audit-event__head">
              {t('audit.event', { revision: e.revision, position: e.position })} — <code>{e.type}</code>
            </h2>
            <dl class="audit-event__envelope">
              <dt>{t('audit.field.time')}</dt>
              <dd>{formatTime(lang, e.time)}</dd>
              <dt>{t('audit.field.actor')}</dt>
              <dd>{[e.meta?.actor?.user, e.meta?.actor?.role].filter(Boolean).join(' · ') || '—'}</dd>
              <dt>{t('audit.field.id')}</dt>
              <dd>
                <code>{e.id}</code>
              </dd>
              <dt>{t('audit.field.hash')}</dt>
              <dd>
                <code class="audit-hash">{e.hash}</code>
              </dd>
              <dt>{t('audit.field.prev')}</dt>
              <dd>
                <code class="audit-hash">{e.prev_hash || '—'}</code>
              </dd>
            </dl>
            {e.redacted ? (
              <p class="alert alert--info">{t('audit.redacted')}</p>
            ) : (
              <details>
                <summary>{t('audit.payload')}</summary>
                <pre class="audit-payload">{JSON.stringify(e.data, null, 2)}</pre>
              </details>
            )}
          </li>
        ))}
      </ol>
    </div>
  );
}
