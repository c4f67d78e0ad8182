// The amendments of a text under review: the list, with accept / reject for the drafting
// group, and the form that proposes one (any organisation of the committee).
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { problemMessage } from '../api';
import { Field, SubmitButton, controlProps, fieldIn, useFieldErrors, useValues } from '../forms';
import { useCommand } from '../hooks';
import type { LiveClient } from '../live';
import { useI18n } from '../ui';
import { type Actor, type Amendment, type OpinionDetail, passageInText, selectedIn } from './opinions-model';
import { AmendmentState, Outcome, formatDateTime } from './opinions-ui';

interface ListProps {
  live: LiveClient;
  opinion: OpinionDetail;
  views: readonly string[];
  who: (a: Actor | undefined) => string;
  /** Whether the user may accept and reject amendments. */
  decide: boolean;
}

/** The amendments in the order they were proposed, with the drafting group's decisions. */
export function AmendmentList({ live, opinion: o, views, who, decide }: ListProps) {
  const { t } = useI18n();
  const cmd = useCommand(live);
  const [last, setLast] = useState<{ id: string; accept: boolean } | null>(null);
  const act = async (a: Amendment, accept: boolean) => {
    setLast({ id: a.id, accept });
    await cmd.run(`opinions/${accept ? 'accept' : 'reject'}-amendment`, { opinion_id: o.id, amendment_id: a.id }, views);
  };
  // The button that accepts (or rejects) an amendment, naming who proposed it.
  const decision = (a: Amendment, accept: boolean) => (
    <button
      type="button"
      class={accept ? 'button' : 'button button--secondary'}
      disabled={cmd.busy}
      aria-label={t(accept ? 'opinions.amendment.acceptNamed' : 'opinions.amendment.rejectNamed', { who: who(a.proposed_by) })}
      onClick={() => void act(a, accept)}
      data-testid={accept ? 'amendment-accept' : 'amendment-reject'}
    >
      {cmd.busy && last?.id === a.id && last.accept === accept
        ? t('form.submitting')
        : t(accept ? 'opinions.amendment.accept' : 'opinions.amendment.reject')}
    </button>
  );
  if (o.amendments.length === 0) return null;
  return (
    <>
      <Outcome
        outcome={cmd.outcome}
        testid="amendment-decision"
        success={last ? t(last.accept ? 'opinions.amendment.accepted' : 'opinions.amendment.rejected') : undefined}
      />
      <ol class="op-amendments">
        {o.amendments.map((a) => (
          <AmendmentItem key={a.id} a={a} text={o.text} who={who}>
            {decide && a.state === 'proposed' && (
              <div class="op-buttons">
                {!a.outdated && decision(a, true)}
                {decision(a, false)}
              </div>
            )}
          </AmendmentItem>
        ))}
      </ol>
    </>
  );
}

function AmendmentItem({
  a,
  text,
  who,
  children,
}: {
  a: Amendment;
  text: string;
  who: (actor: Actor | undefined) => string;
  children?: ComponentChildren;
}) {
  const { lang, t } = useI18n();
  const where = a.state === 'proposed' && !a.outdated ? passageInText(text, a) : undefined;
  const headingId = `amendment-${a.id}`;
  return (
    <li class={`op-amendment op-amendment--${a.state}`} data-testid="amendment" data-id={a.id} data-state={a.state}>
      <article aria-labelledby={headingId}>
        <div class="op-amendment__head">
          <h3 id={headingId}>{t('opinions.amendment.label', { who: who(a.proposed_by) })}</h3>
          <AmendmentState state={a.state} />
        </div>
        <dl class="op-amendment__body">
          <dt>{t('opinions.amendment.passage')}</dt>
          <dd>
            <del data-testid="amendment-passage">{a.passage}</del>
          </dd>
          <dt>{t('opinions.amendment.replacement')}</dt>
          <dd>
            {a.replacement ? (
              <ins data-testid="amendment-replacement">{a.replacement}</ins>
            ) : (
              <em>{t('opinions.amendment.deletion')}</em>
            )}
          </dd>
          {a.reason && (
            <>
              <dt>{t('opinions.amendment.reason')}</dt>
              <dd>{a.reason}</dd>
            </>
          )}
        </dl>
        {where && (
          <p class="op-context">
            {where.before}
            <mark>{where.passage}</mark>
            {where.after}
          </p>
        )}
        {a.outdated && a.state === 'proposed' && <p class="op-warning">{t('opinions.amendment.outdated')}</p>}
        <p class="op-meta">
          {t('opinions.amendment.proposed', { date: formatDateTime(lang, a.proposed_at), version: a.version })}
          {a.decided_at && (
            <>
              {' · '}
              {t('opinions.amendment.decided', { date: formatDateTime(lang, a.decided_at), who: who(a.decided_by) })}
            </>
          )}
        </p>
        {a.decision_reason && <p class="op-meta">{t('opinions.history.reason', { reason: a.decision_reason })}</p>}
        {children}
      </article>
    </li>
  );
}

type Values = { passage: string; replacement: string; reason: string };
const EMPTY: Values = { passage: '', replacement: '', reason: '' };

/** The form that proposes an amendment; what was typed stays when the server refuses it. */
export function ProposeAmendment({
  live,
  opinion: o,
  views,
  textRef,
}: {
  live: LiveClient;
  opinion: OpinionDetail;
  views: readonly string[];
  textRef: { current: HTMLElement | null };
}) {
  const { lang, t } = useI18n();
  const cmd = useCommand(live);
  const [values, setValues, set] = useValues<Values>(EMPTY);
  const [noSelection, setNoSelection] = useState(false);
  // The server's message says what is wrong with the passage (not found in the text…).
  const passageError = useFieldErrors(
    cmd.outcome,
    fieldIn(['passage']),
    () => (cmd.outcome?.kind === 'problem' && problemMessage(cmd.outcome.problem, lang)) || t('opinions.failed'),
  ).passage;

  const takeSelection = () => {
    const s = selectedIn(textRef.current, typeof window === 'undefined' ? null : window.getSelection());
    setNoSelection(s.trim() === '');
    if (s.trim() !== '') setValues((prev) => ({ ...prev, passage: s }));
  };
  const onSubmit = async (e: Event) => {
    e.preventDefault();
    if (cmd.busy) return;
    const body: Record<string, string> = { opinion_id: o.id, passage: values.passage, replacement: values.replacement };
    if (values.reason.trim()) body.reason = values.reason.trim();
    if (await cmd.run('opinions/propose-amendment', body, views)) setValues(EMPTY);
  };

  return (
    <div class="op-form form-panel" data-testid="propose-amendment">
      <h3 id="op-propose-title">{t('opinions.propose.title')}</h3>
      <p class="form-intro">{t('opinions.propose.intro')}</p>
      <Outcome outcome={cmd.outcome} testid="propose" success={t('opinions.propose.success')} />
      <form onSubmit={onSubmit} noValidate aria-labelledby="op-propose-title" aria-busy={cmd.busy}>
        <p class="op-buttons">
          <button
            type="button"
            class="button button--secondary"
            onMouseDown={(e) => e.preventDefault()}
            onClick={takeSelection}
            aria-describedby={noSelection ? 'op-no-selection' : undefined}
          >
            {t('opinions.propose.useSelection')}
          </button>
        </p>
        {noSelection && (
          <p class="field__hint" id="op-no-selection" role="status">
            {t('opinions.propose.noSelection')}
          </p>
        )}
        <Field id="op-passage" label={t('opinions.propose.passage')} required error={passageError}>
          <textarea
            {...controlProps('op-passage', passageError)}
            name="passage"
            rows={3}
            required
            value={values.passage}
            onInput={set('passage')}
          />
        </Field>
        <Field id="op-replacement" label={t('opinions.propose.replacement')} hint={t('opinions.propose.replacement.hint')}>
          <textarea
            {...controlProps('op-replacement', undefined, true)}
            name="replacement"
            rows={3}
            value={values.replacement}
            onInput={set('replacement')}
          />
        </Field>
        <Field id="op-reason" label={t('opinions.propose.reason')}>
          <input id="op-reason" name="reason" type="text" value={values.reason} onInput={set('reason')} />
        </Field>
        <SubmitButton busy={cmd.busy} testid="propose-submit">{t('opinions.propose.submit')}</SubmitButton>
      </form>
    </div>
  );
}
