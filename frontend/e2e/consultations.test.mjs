// The consultations page against a real demo server: the demo vote renders real data in
// French and English; two users in two browser contexts — the secretariat opens a
// consultation through the UI, AMF sees it appear, votes through the ballot form, and
// the secretariat sees the tally change, all without reload; axe finds no violation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { axe } from './axe.mjs';
import { apiFetch, apiPost, eventually, openApp } from './browser.mjs';
import { serverAndBrowser } from './fixture.mjs';

const DEMO_QUESTION = /Le comité adopte-t-il l.avis sur la mise à niveau numérique des écoles primaires/;

/** Opens the app on the consultations list as `as` and waits for the view. */
async function openList(env, as, opts = {}) {
  const app = await openApp(env.browser, env.server.url, { as, hash: '#/consultations', ...opts });
  await app.page.locator('section.consultations[data-loaded="true"]').waitFor({ timeout: 15_000 });
  // A marker that a reload would wipe out: what follows must happen live.
  await app.page.evaluate(() => {
    window.__sameDocument = true;
  });
  return app;
}

/** Follows the list's link to a consultation and waits for its detail. */
async function openDetail(page, question) {
  await page.locator('.cons-card a', { hasText: question }).click();
  await page.locator('section.consultation[data-loaded="true"]').waitFor({ timeout: 15_000 });
}

/** Opens and closes, through the API, a single-choice consultation with a ballot, so that a closed one with bars exists. */
async function closedConsultation(page) {
  const orgs = await apiFetch(page, 'GET', '/api/v1/views/organisations');
  const dne = orgs.body.items.find((o) => o.acronym === 'MEN-DNE').id;
  const opened = await apiPost(page, '/api/v1/consultations/open-consultation', {
    question: 'Quelle échelle pour le plan numérique ?',
    kind: 'single_choice',
    options: [
      { id: 'academie', label: 'L’académie' },
      { id: 'departement', label: 'Le département' },
    ],
    electorate: [{ organisation_id: dne, weight: 2 }],
    deadline: new Date(Date.now() + 86_400_000).toISOString(),
    results: 'live',
  });
  assert.equal(opened.status, 200, JSON.stringify(opened.body));
  const id = opened.body.events[0].stream.replace('consultation-', '');
  const voted = await apiPost(page, '/api/v1/consultations/cast-ballot', { consultation_id: id, organisation_id: dne, choices: ['academie'] });
  assert.equal(voted.status, 200, JSON.stringify(voted.body));
  const closed = await apiPost(page, '/api/v1/consultations/close-consultation', { consultation_id: id });
  assert.equal(closed.status, 200, JSON.stringify(closed.body));
}

function sameDocument(page) {
  return page.evaluate(() => window.__sameDocument === true);
}

describe('consultations page (demo server)', { timeout: 150_000 }, () => {
  const env = serverAndBrowser({ demo: true });

  it('shows the demo consultation with its real data, in French and in English', async () => {
    const { page, context, errors } = await openList(env, 'amf@demo.invalid');
    try {
      const card = page.locator('[data-testid="cons-open"] .cons-card', { hasText: DEMO_QUESTION });
      assert.equal(await card.count(), 1);
      const text = await card.innerText();
      assert.match(text, /Ouverte/);
      assert.match(text, /Pour, contre ou abstention/);
      assert.match(text, /Vote à bulletin ouvert/);
      assert.match(text, /Votes : 0 sur 11 organisations/);
      assert.match(text, /Date limite\s+\d{1,2} \p{L}+ \d{4} à \d{2}:\d{2}/u);
      assert.match(text, /Votre organisation n’a pas encore voté/);

      await openDetail(page, DEMO_QUESTION);
      assert.match(await page.locator('h1').innerText(), DEMO_QUESTION);
      const facts = await page.locator('.facts').innerText();
      assert.match(facts, /Quorum\s+50\s%/);
      assert.match(facts, /Publiés à la clôture/);
      assert.match(facts, /Empreinte SHA-256 du texte figé : [0-9a-f]{64}/);
      assert.match(await page.locator('.facts a').getAttribute('href'), /^#\/opinions\/[0-9a-f-]{36}$/);
      // Results at the close: the options and the turnout, no counts.
      assert.equal(await page.locator('[data-testid="cons-tally"]').count(), 0);
      assert.deepEqual(await page.locator('.cons-options li').allInnerTexts(), ['Pour', 'Contre', 'Abstention']);
      assert.match(await page.locator('.cons-turnout').innerText(), /N’ont pas encore voté \(11\)[\s\S]*AMF/);
      assert.match(await page.locator('[data-testid="cons-ballot"]').innerText(), /Vous votez au nom de AMF/);

      await page.getByRole('button', { name: 'English' }).click();
      await page.locator('html[lang="en"]').waitFor();
      const en = await page.locator('section.consultation').innerText();
      for (const want of [/Published at the close/, /Not voted yet \(11\)/, /You vote on behalf of AMF/, /For, against or abstain/, /Open ballot/]) {
        assert.match(en, want);
      }
      assert.match(await page.locator('.facts').innerText(), /Deadline\s+\p{L}+ \d{1,2}, \d{4}/u);
      await page.locator('.cons-back a').click();
      await page.locator('section.consultations[data-loaded="true"]').waitFor();
      assert.match(await page.locator('h2#cons-open-title').innerText(), /Open consultations/);
      assert.match(await page.locator('[data-testid="cons-open"]').innerText(), /Ballots: 0 of 11 organisations/);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it('two users: the secretariat opens a consultation, AMF sees it appear and votes, the secretariat sees the tally change, without reload', async () => {
    const question = `Faut-il généraliser l’ENT aux écoles ? (${Date.now()})`;
    const sec = await openList(env, 'secretariat@demo.invalid');
    const amf = await openList(env, 'amf@demo.invalid');
    try {
      // The secretariat opens it through the form: live results, open ballot, AMF voting.
      const form = sec.page.locator('[data-testid="cons-open-form"]');
      await form.getByLabel('Question').fill(question);
      await form.getByLabel('En direct, pendant le vote').check();
      const amfVoter = form.getByLabel('AMF', { exact: true });
      assert.equal(await amfVoter.isChecked(), true, 'AMF is in the electorate');
      assert.equal(await form.getByLabel('Vote à bulletin secret').isChecked(), false);
      await form.locator('[data-testid="cons-open-submit"]').click();
      await sec.page.locator('[data-testid="cons-open-success"]').waitFor();

      // AMF's list shows it, without reload, with nobody having voted.
      const card = amf.page.locator('[data-testid="cons-open"] .cons-card', { hasText: question });
      await card.waitFor({ timeout: 10_000 });
      assert.match(await card.innerText(), /Votes : 0 sur 11 organisations/);
      assert.ok(await sameDocument(amf.page), 'AMF did not reload');

      // The secretariat follows the new consultation: a live tally at zero.
      await sec.page.locator('[data-testid="cons-open-link"]').click();
      await sec.page.locator('section.consultation[data-loaded="true"]').waitFor();
      const pour = sec.page.locator('[data-testid="cons-tally"] [data-option="pour"]');
      assert.match(await pour.innerText(), /Pour\s+Voix : 0 · Bulletins : 0/);

      // AMF votes through the ballot form; success only once its row shows the ballot.
      await openDetail(amf.page, question);
      const ballot = amf.page.locator('[data-testid="cons-ballot-form"]');
      await ballot.getByLabel('Pour').check();
      await ballot.locator('[data-testid="cons-vote"]').click();
      await amf.page.locator('[data-testid="cons-ballot-success"]').waitFor();
      assert.match(await amf.page.locator('[data-testid="cons-current"]').innerText(), /Bulletin : Pour/);
      assert.match(await amf.page.locator('[data-testid="cons-tally"] [data-option="pour"]').innerText(), /Voix : 1/);

      // The secretariat's tally changes by itself.
      await eventually(async () => (await pour.getAttribute('data-weight')) === '1', { message: 'the tally shows AMF’s ballot' });
      assert.match(await pour.innerText(), /Pour\s+Voix : 1 · Bulletins : 1 · 100\s%/);
      assert.match(await sec.page.locator('.cons-turnout [data-testid="cons-turnout"]').innerText(), /Votes : 1 sur 11 organisations/);
      assert.match(await sec.page.locator('[data-testid="cons-participants"]').innerText(), /AMF[\s\S]*Bulletin : Pour/);
      assert.ok(await sameDocument(sec.page), 'the secretariat did not reload');

      // The secretariat closes it now; AMF sees the result come, still without reload.
      await sec.page.locator('[data-testid="cons-close"]').click();
      await sec.page.getByLabel('Motif (facultatif)').fill('Essai de clôture');
      await sec.page.locator('[data-testid="cons-close-confirm"]').click();
      await sec.page.locator('[data-testid="cons-outcome"]').waitFor();
      await amf.page.locator('[data-testid="cons-outcome"]').waitFor({ timeout: 10_000 });
      assert.match(await amf.page.locator('[data-testid="cons-outcome"]').innerText(), /Adopté/);
      assert.match(await amf.page.locator('[data-testid="cons-result"]').innerText(), /Close avant la date limite[\s\S]*Motif : Essai de clôture/);
      assert.equal(await amf.page.locator('[data-testid="cons-ballot-form"]').count(), 0, 'no ballot form once closed');
      assert.ok(await sameDocument(amf.page), 'AMF did not reload');
      assert.deepEqual([...sec.errors, ...amf.errors], []);

      // An observer sees the closed consultation, not the open demo one.
      const obs = await openList(env, 'observer@demo.invalid');
      try {
        assert.match(await obs.page.locator('[data-testid="cons-closed"]').innerText(), new RegExp(question.slice(0, 30)));
        assert.equal(await obs.page.locator('.cons-card', { hasText: DEMO_QUESTION }).count(), 0);
        assert.equal(await obs.page.locator('[data-testid="cons-open-form"]').count(), 0);
      } finally {
        await obs.context.close();
      }
    } finally {
      await sec.context.close();
      await amf.context.close();
    }
  });

  // axe is slow (seconds a run): each page state is checked once, French and English
  // spread over them, and the list (open and closed badges, form) also in dark mode.
  it('has no WCAG 2.1 AA violation on the list and the detail, in French and in English', async () => {
    const { page, context } = await openList(env, 'secretariat@demo.invalid');
    try {
      await closedConsultation(page);
      // The list and the open form with its errors shown.
      await page.locator('[data-testid="cons-open-submit"]').click();
      await page.locator('[data-testid="cons-error"]').waitFor();
      assert.equal(await page.locator('#open-question-error').innerText(), 'Saisissez la question (1 000 caractères au plus).');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'open-question', 'the field to fix has the focus');
      assert.deepEqual(await axe(page), [], 'list with form errors, French');
      // An open consultation: ballot form, options, turnout, close button.
      await openDetail(page, DEMO_QUESTION);
      assert.deepEqual(await axe(page), [], 'open consultation, French');
      await page.getByRole('button', { name: 'English' }).click();
      await page.locator('html[lang="en"]').waitFor();
      // A closed one, with its result in bars.
      await page.locator('.cons-back a').click();
      await page.locator('section.consultations[data-loaded="true"]').waitFor();
      assert.deepEqual(await axe(page), [], 'list, English');
      await page.locator('[data-testid="cons-closed"] .cons-card a').first().click();
      await page.locator('[data-testid="cons-result"]').waitFor();
      assert.deepEqual(await axe(page), [], 'closed consultation, English');
    } finally {
      await context.close();
    }
    const dark = await openList(env, 'amf@demo.invalid', { colorScheme: 'dark' });
    try {
      assert.deepEqual(await axe(dark.page), [], 'list, dark, French');
    } finally {
      await dark.context.close();
    }
  });
});
