// The co-drafting editor of a draft (issue 7): CodeMirror 6 with @codemirror/collab, the
// server being the central authority. It starts from the opinion-details row (text,
// version), follows `opinion-updates:<id>` on the page's one live socket (LiveClient) and
// pushes with opinions/push-changes; the protocol (ordering, batching, retries, offline)
// lives in ../codraft.ts. Mounted only for users who may edit the text.
import { useEffect, useRef, useState } from 'preact/hooks';
import { Compartment, EditorState } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { collab } from '@codemirror/collab';
import { ProblemError, newIdempotencyKey, postCommand } from '../api';
import { Codraft, CodraftRefused, type CodraftStatus, type UpdateRow } from '../codraft';
import type { LiveClient, LiveRow } from '../live';
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
}: {
  live: LiveClient;
  opinionId: string;
  text: string;
  version: number;
  position: number;
}) {
  const { t } = useI18n();
  const host = useRef<HTMLDivElement>(null);
  const viewRef = useRef<EditorView | null>(null);
  const labels = useRef(new Compartment());
  const [status, setStatus] = useState<CodraftStatus>({ kind: 'saved' });
  const label = t('opinions.editor.label');

  useEffect(() => {
    if (!host.current) return;
    const clientID = newClientID();
    let ctl: Codraft | null = null;
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
          EditorView.updateListener.of((u) => {
            if (u.docChanged) ctl?.changed();
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
    const stopStatus = live.onStatus((s) => c.connection(s === 'live'));
    // For the browser tests: the editor's text and what is not confirmed yet.
    (host.current as HTMLElement & { codraft?: unknown }).codraft = { text: () => view.state.doc.toString(), unconfirmed: () => c.unconfirmed() };
    return () => {
      stopRows();
      stopStatus();
      c.close();
      view.destroy();
      viewRef.current = null;
    };
    // One editor per text: later rows of opinion-details arrive through opinion-updates.
  }, [live, opinionId]);

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
