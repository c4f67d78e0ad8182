// What a user does to a text besides amendments: the lifecycle actions their role and
// organisation allow (submit for review, open the vote, publish, withdraw) and a plain
// whole-text edit of a draft (live co-drafting is another page's job).
import { useEffect, useRef, useState } from 'preact/hooks';
import { Field, SubmitButton, controlProps } from '../forms';
import { useCommand } from '../hooks';
import type { MessageKey } from '../i18n';
import type { LiveClient } from '../live';
import { useI18n } from '../ui';
import { type Allowed, type OpinionDetail, anyAllowed, lifecycleAllowed, pendingAmendments } from './opinions-model';
import { Outcome, Section } from './opinions-ui';

type Action = 'submit' | 'openVote' | 'publish' | 'withdraw';

const COMMANDS: Record<Action, string> = {
  submit: 'opinions/submit-for-review',
  openVote: 'opinions/open-vote',
  publish: 'opinions/publish',
  withdraw: 'opinions/withdraw',
};

/** The lifecycle buttons the user may use now; the server decides anyway. */
export function Actions({
  live,
  opinion: o,
  allowed,
  views,
}: {
  live: LiveClient;
  opinion: OpinionDetail;
  allowed: Allowed;
  views: readonly string[];
}) {
  const { t } = useI18n();
  const cmd = useCommand(live);
  const [last, setLast] = useState<Action | null>(null);
  const [withdrawing, setWithdrawing] = useState(false);
  const [reason, setReason] = useState('');
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  const pending = pendingAmendments(o).length;

  useEffect(() => {
    if (withdrawing) reasonRef.current?.focus();
  }, [withdrawing]);

  const act = async (action: Action, extra: Record<string, string> = {}) => {
    setLast(action);
    const ok = await cmd.run(COMMANDS[action], { opinion_id: o.id, ...extra }, views);
    if (ok && action === 'withdraw') {
      setWithdrawing(false);
      setReason('');
    }
  };
  const button = (action: Action, labelKey: MessageKey, secondary = false) => (
    <button
      type="button"
      class={secondary ? 'button button--secondary' : 'button'}
      disabled={cmd.busy}
      onClick={() => void act(action)}
      data-testid={`action-${action}`}
    >
      {cmd.busy && last === action ? t('form.submitting') : t(labelKey)}
    </button>
  );

  // Someone who may only propose or decide amendments does that next to them.
  if (!lifecycleAllowed(allowed) && !cmd.outcome && anyAllowed(allowed)) return null;

  return (
    <Section id="op-actions" title={t('opinions.actions.title')}>
      <Outcome
        outcome={cmd.outcome}
        testid="action"
        success={last ? t(`opinions.actions.success.${last}` as MessageKey) : undefined}
      />
      {!lifecycleAllowed(allowed) && <p class="op-meta">{t('opinions.actions.none')}</p>}
      <div class="op-buttons op-buttons--stack">
        {allowed.submit && button('submit', 'opinions.actions.submit')}
        {allowed.openVote && pending === 0 && button('openVote', 'opinions.actions.openVote')}
        {allowed.publish && button('publish', 'opinions.actions.publish')}
        {allowed.withdraw && !withdrawing && (
          <button
            type="button"
            class="button button--secondary"
            onClick={() => setWithdrawing(true)}
            data-testid="action-withdraw-open"
          >
            {t('opinions.actions.withdraw')}
          </button>
        )}
      </div>
      {allowed.openVote && pending > 0 && (
        <p class="op-meta" data-testid="pending-first">
          {t('opinions.actions.pendingFirst', { n: pending })}
        </p>
      )}
      {allowed.withdraw && withdrawing && (
        <form
          id="op-withdraw"
          class="op-form form-panel"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            if (!cmd.busy) void act('withdraw', { reason: reason.trim() });
          }}
        >
          <Field id="op-withdraw-reason" label={t('opinions.withdraw.reason')} required>
            <textarea
              id="op-withdraw-reason"
              ref={reasonRef}
              rows={3}
              required
              value={reason}
              onInput={(e) => setReason((e.currentTarget as HTMLTextAreaElement).value)}
            />
          </Field>
          <div class="op-buttons">
            <button type="submit" class="button" disabled={cmd.busy} data-testid="action-withdraw">
              {cmd.busy && last === 'withdraw' ? t('form.submitting') : t('opinions.withdraw.confirm')}
            </button>
            <button type="button" class="button button--secondary" onClick={() => setWithdrawing(false)}>
              {t('opinions.edit.cancel')}
            </button>
          </div>
        </form>
      )}
    </Section>
  );
}

/**
 * A whole-text edit of a draft from the version shown when editing began
 * (opinions/edit-text with base_version): a change made meanwhile by someone else is
 * refused by the server, and what the user typed stays in the box.
 */
export function EditText({ live, opinion: o, views }: { live: LiveClient; opinion: OpinionDetail; views: readonly string[] }) {
  const { t } = useI18n();
  const cmd = useCommand(live);
  const [editing, setEditing] = useState<{ base: number; text: string } | null>(null);
  const [saved, setSaved] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    if (editing) area.current?.focus();
    // Only when the editor opens.
  }, [editing === null]);

  if (!editing) {
    return (
      <>
        {saved && (
          <div class="alert alert--success" role="status" data-testid="edit-success">
            <p>{t('opinions.edit.success', { version: o.version })}</p>
          </div>
        )}
        <p class="op-buttons">
          <button
            type="button"
            class="button button--secondary"
            onClick={() => {
              cmd.reset();
              setSaved(false);
              setEditing({ base: o.version, text: o.text });
            }}
            data-testid="edit-open"
          >
            {t('opinions.edit.open')}
          </button>
        </p>
      </>
    );
  }

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    if (cmd.busy) return;
    const ok = await cmd.run('opinions/edit-text', { opinion_id: o.id, base_version: editing.base, text: editing.text }, views);
    if (ok) {
      setEditing(null);
      setSaved(true);
    }
  };
  const stale = o.version !== editing.base;

  return (
    <form class="op-form form-panel op-edit" onSubmit={onSubmit} noValidate aria-labelledby="op-edit-title" aria-busy={cmd.busy}>
      <h3 id="op-edit-title">{t('opinions.edit.title')}</h3>
      <Outcome outcome={cmd.outcome} testid="edit" />
      {stale && (
        <div class="alert alert--info" role="status" data-testid="edit-stale">
          <p>{t('opinions.edit.changedMeanwhile', { version: o.version })}</p>
        </div>
      )}
      <Field id="op-edit-text" label={t('opinions.edit.label')} hint={t('opinions.edit.hint', { version: editing.base })}>
        <textarea
          {...controlProps('op-edit-text', undefined, true)}
          ref={area}
          rows={14}
          value={editing.text}
          onInput={(e) => setEditing({ ...editing, text: (e.currentTarget as HTMLTextAreaElement).value })}
          data-testid="edit-text"
        />
      </Field>
      <div class="op-buttons">
        <SubmitButton busy={cmd.busy} testid="edit-save">{t('opinions.edit.save')}</SubmitButton>
        <button type="button" class="button button--secondary" onClick={() => setEditing(null)}>
          {t('opinions.edit.cancel')}
        </button>
      </div>
    </form>
  );
}
