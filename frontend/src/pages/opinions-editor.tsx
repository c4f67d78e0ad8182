// The co-drafting editor of a draft (issue 7): CodeMirror 6 with @codemirror/collab, the
// server being the central authority. It starts from the opinion-details row (text,
// version), follows `opinion-updates:<id>` on the page's one live socket (LiveClient) and
// pushes with opinions/push-changes; the protocol (ordering, batching, retries, offline)
// lives in ../codraft.ts. Mounted only for users who may edit the text.
import { useEffect, useRef, useState } from 'preact/hooks';
import { Compartment, EditorState } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { collab, getSyncedVersion } from '@codemirror/collab';
import { ProblemError, newIdempotencyKey, postCommand } from '../api';
import { Codraft, CodraftRefused, type CodraftStatus, type UpdateRow } from '../codraft';
import type { LiveClient, LiveRow } from '../live';
import { useNow } from '../hooks';
import { Announcer, type Peer, freshPeers, orgSlot, remoteCursors, setRemoteCursors } from '../presence';
import { useI18n } from '../ui';
import './opinions-editor.css';

/** A client ID for this editor: unique per tab and mount, so echoes confirm only ours. */
function newClientID(): string {
  return `web-${newIdempotencyKey().slice(0, 12)}`;
}

/** Sends a push; version_mismatch is a conflict, overload and gateway errors count as the network. */
async function push(body: unknown): Promise<'ok' | 'conflict'> {
  try {
    await postCommand('opinions/push-changes', body, newIdempotencyKey(), { retries: 0 });
    return 'ok';
  } catch (err) {
    if (err instanceof ProblemError) {
      if (err.status === 409 && err.problem.code === 'version_mismatch') return 'conflict';
      if (err.status === 429 || err.status >= 500) throw new Error(`HTTP ${err.status}`);
      throw new CodraftRefused(err.message);
    }
    throw err;
  }
}

const theme = EditorView.theme({
  '.cm-content': { fontSize: '1rem', lineHeight: '1.6', padding: '0.75rem 0.5rem' },
  '.cm-scroller': { maxHeight: '28rem', overflow: 'auto' },
});

/**
 * The co-drafting editor of one text, starting from the text at version, which the
 * opinion-details row held at position (only the changes after it are pulled).
 */
export function CodraftEditor({
  live,
  opinionId,
  text,
  version,
  position,
  acronyms,
}: {
  live: LiveClient;
  opinionId: string;
  text: string;
  version: number;
  position: number;
  acronyms: ReadonlyMap<string, string>;
}) {
  const { t } = useI18n();
  const [peers, setPeers] = useState<Peer[]>([]);
  const [now] = useNow(5_000);
  const here = freshPeers(peers, now);
  const nameOf = (p: Peer) => acronyms.get(p.organisation_id ?? '') ?? p.user ?? '?';
  const host = useRef<HTMLDivElement>(null);
  const viewRef = useRef<EditorView | null>(null);
  const labels = useRef(new Compartment());
  const [status, setStatus] = useState<CodraftStatus>({ kind: 'saved' });
  const label = t('opinions.editor.label');

  useEffect(() => {
    if (!host.current) return;
    const clientID = newClientID();
    let ctl: Codraft | null = null;
    let announcer: Announcer | null = null;
    const view = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: text,
        extensions: [
          collab({ startVersion: version, clientID }),
          history(),
          keymap.of([...defaultKeymap, ...historyKeymap]),
          EditorView.lineWrapping,
          theme,
          labels.current.of(EditorView.contentAttributes.of({ 'aria-label': label, 'aria-describedby': `codraft-status-${opinionId}` })),
          remoteCursors(),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) ctl?.changed();
            if (u.docChanged || u.selectionSet) announcer?.moved();
          }),
        ],
      }),
    });
    viewRef.current = view;
    ctl = new Codraft({
      opinionId,
      clientID,
      host: { state: () => view.state, apply: (tr) => view.dispatch(tr) },
      push,
      onStatus: setStatus,
    });
    const c = ctl;
    const stopRows = live.subscribe<LiveRow>(`opinion-updates:${opinionId}`, (s) => c.receive(s.items as unknown as UpdateRow[]), {
      since: position,
    });
    const stopStatus = live.onStatus((s) => {
      c.connection(s === 'live');
      if (s === 'live') announcer?.flush();
    });
    // Presence: the others' cursors in the editor, ours to them.
    announcer = new Announcer(
      (cursor, v) => live.announce(opinionId, cursor, v),
      () => ({ anchor: view.state.selection.main.anchor, head: view.state.selection.main.head, version: getSyncedVersion(view.state) }),
    );
    // Announce once following the text's presence (a subscription the server confirmed):
    // an announcement sent before that would be refused.
    let joined = false;
    const a = announcer;
    const stopPeers = live.subscribe<Peer>(`presence:${opinionId}`, (s) => {
      setPeers(s.items);
      if (s.loaded && !joined) {
        joined = true;
        a.flush();
      } else if (!s.loaded) joined = false;
    });
    // For the browser tests: the editor's text and what is not confirmed yet.
    (host.current as HTMLElement & { codraft?: unknown }).codraft = { text: () => view.state.doc.toString(), unconfirmed: () => c.unconfirmed() };
    return () => {
      stopRows();
      stopStatus();
      stopPeers();
      announcer?.close();
      c.close();
      view.destroy();
      viewRef.current = null;
    };
    // One editor per text: later rows of opinion-details arrive through opinion-updates.
  }, [live, opinionId]);

  // The others' cursors follow their announcements; a peer gone quiet disappears.
  const drawn = here.filter((p) => p.cursor).map((p) => `${p.id}:${p.cursor!.anchor}:${p.cursor!.head}`).join(',');
  useEffect(() => {
    viewRef.current?.dispatch({
      effects: setRemoteCursors.of(
        here.filter((p) => p.cursor).map((p) => ({ id: p.id, label: nameOf(p), slot: orgSlot(p.organisation_id), anchor: p.cursor!.anchor, head: p.cursor!.head })),
      ),
    });
  }, [drawn]);

  useEffect(() => {
    viewRef.current?.dispatch({
      effects: labels.current.reconfigure(
        EditorView.contentAttributes.of({ 'aria-label': label, 'aria-describedby': `codraft-status-${opinionId}` }),
      ),
    });
  }, [label, opinionId]);

  let line: string;
  switch (status.kind) {
    case 'saved':
      line = t('opinions.editor.saved');
      break;
    case 'pending':
      line = t('opinions.editor.pending', { n: status.n });
      break;
    case 'offline':
      line = t('opinions.editor.offline');
      break;
    default:
      line = t('opinions.editor.refused', { message: status.message });
  }
  return (
    <div class="op-codraft">
      <p class="op-meta">{t('opinions.editor.intro')}</p>
      <div class="op-presence" data-testid="presence">
        <span>{here.length === 0 ? t('opinions.presence.alone') : t('opinions.presence.here')}</span>
        {here.length > 0 && (
          <ul data-testid="presence-list">
            {here.map((p) => (
              <li key={p.id} data-org={p.organisation_id} title={p.user}>
                <span class={`op-author op-author--${orgSlot(p.organisation_id)} op-authors__swatch`} aria-hidden="true" /> {nameOf(p)}
                {p.user && <span class="op-meta"> ({p.user})</span>}
              </li>
            ))}
          </ul>
        )}
      </div>
      <div class="op-codraft__editor" ref={host} data-testid="codraft-editor" />
      <p
        class={`op-codraft__status op-codraft__status--${status.kind}`}
        id={`codraft-status-${opinionId}`}
        data-testid="codraft-status"
        data-kind={status.kind}
      >
        {line}
      </p>
      {/* Screen readers hear of going offline or a refusal, not of every keystroke's count. */}
      <p class="visually-hidden" role="status">
        {status.kind === 'saved' || status.kind === 'pending' ? '' : line}
      </p>
    </div>
  );
}
