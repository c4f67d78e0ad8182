// The header's notifications: a button with the unread count, a panel listing them, and
// a polite toast announcing each new one. See notifications.ts for what is news.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useLiveView } from './hooks';
import { type MessageKey, plural } from './i18n';
import type { LiveClient, LiveRow } from './live';
import {
  ArrivalWatcher,
  type Notification,
  NotificationStore,
  concerns,
  groupsOfOrganisation,
  storageKey,
} from './notifications';
import { describeEntry } from './pages/timeline-model';
import { EntryLine, useOrgRefs } from './pages/timeline-ui';
import type { User } from './session';
import { localStore, useI18n } from './ui';
import './notifications.css';

/** How long a toast stays on screen, in ms. */
const TOAST_MS = 8000;

export function NotificationCenter({ live, user }: { live: LiveClient; user: User }) {
  const { lang, t } = useI18n();
  const timeline = useLiveView<LiveRow>(live, 'timeline');
  const groupsView = useLiveView<LiveRow>(live, 'groups');
  const orgs = useOrgRefs(live);
  const store = useMemo(() => new NotificationStore(localStore(), storageKey(user.id)), [user.id]);
  const [items, setItems] = useState<readonly Notification[]>(() => store.list());
  useEffect(() => store.subscribe(setItems), [store]);
  const [toast, setToast] = useState<Notification | null>(null);
  const [open, setOpen] = useState(false);
  const watcher = useRef(new ArrivalWatcher());
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);

  const myGroups = useMemo(() => groupsOfOrganisation(groupsView.items, user.organisation_id), [groupsView.items, user.organisation_id]);

  useEffect(() => {
    let latest: Notification | null = null;
    for (const entry of watcher.current.next(timeline)) {
      const reason = concerns(entry, { email: user.email, organisationId: user.organisation_id, groups: myGroups });
      if (reason && store.add(entry, reason)) latest = store.list()[0] ?? null;
    }
    if (latest) setToast(latest);
    // Only new states of the timeline: groups and the user change what later entries mean.
  }, [timeline]);

  useEffect(() => {
    if (!toast) return;
    const timer = setTimeout(() => setToast(null), TOAST_MS);
    return () => clearTimeout(timer);
  }, [toast]);

  // Escape or a click elsewhere closes the panel.
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        setOpen(false);
        button.current?.focus();
      }
    };
    const onClick = (e: MouseEvent) => {
      const target = e.target as Node;
      if (!panel.current?.contains(target) && !button.current?.contains(target)) setOpen(false);
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('mousedown', onClick);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('mousedown', onClick);
    };
  }, [open]);

  const unread = items.filter((n) => !n.read).length;
  return (
    <div class="notifications">
      <button
        type="button"
        ref={button}
        class="button button--secondary notifications__button"
        aria-expanded={open}
        aria-controls="notifications-panel"
        onClick={() => setOpen((o) => !o)}
        data-testid="notifications-button"
      >
        <span>{t('timeline.notifications.button')}</span>
        {unread > 0 && (
          <span class="notifications__badge" data-testid="notifications-badge">
            <span aria-hidden="true">{unread}</span>
            <span class="visually-hidden">{plural(lang, 'timeline.notifications.unread', unread)}</span>
          </span>
        )}
      </button>
      <div
        ref={panel}
        id="notifications-panel"
        class="notifications__panel"
        role="region"
        aria-labelledby="notifications-title"
        hidden={!open}
        data-testid="notifications-panel"
      >
        <h2 id="notifications-title">{t('timeline.notifications.title')}</h2>
        {items.length === 0 ? (
          <p class="empty">{t('timeline.notifications.empty')}</p>
        ) : (
          <>
            <ul class="notifications__list">
              {items.map((n) => (
                <li key={n.id} class={`notifications__item${n.read ? '' : ' is-unread'}`} data-id={n.id}>
                  <span class="notifications__meta">
                    <span class="notifications__state">
                      {n.read ? t('timeline.notifications.read') : t('timeline.notifications.new')}
                    </span>
                    <span>{t(`timeline.notifications.reason.${n.reason}` as MessageKey)}</span>
                  </span>
                  <EntryLine
                    entry={n.entry}
                    orgs={orgs}
                    onFollow={() => {
                      store.markRead(n.id);
                      setOpen(false);
                    }}
                  />
                  {!n.read && (
                    <button type="button" class="link-button" onClick={() => store.markRead(n.id)}>
                      {t('timeline.notifications.markRead')}
                      <span class="visually-hidden"> : {describeEntry(lang, n.entry, orgs, t)}</span>
                    </button>
                  )}
                </li>
              ))}
            </ul>
            <div class="notifications__actions">
              {unread > 0 && (
                <button type="button" class="button button--secondary" onClick={() => store.markAllRead()} data-testid="notifications-mark-all">
                  {t('timeline.notifications.markAll')}
                </button>
              )}
              <button type="button" class="button button--secondary" onClick={() => store.clear()}>
                {t('timeline.notifications.clear')}
              </button>
            </div>
          </>
        )}
      </div>
      <div class="notifications__toast" role="status" aria-live="polite" aria-atomic="true" data-testid="notifications-toast">
        {toast && (
          <div>
            <p class="notifications__meta">{t(`timeline.notifications.reason.${toast.reason}` as MessageKey)}</p>
            <p>{describeEntry(lang, toast.entry, orgs, t)}</p>
          </div>
        )}
      </div>
    </div>
  );
}
