// The opinions page shows the demo committee's texts (a draft recommendation and an
// opinion put to the vote) in the list and in detail, in French and English, without
// WCAG 2.1 AA violations; an amendment proposed by a member in one browser appears live in
// the secretariat's, which accepts it, and both see the text change.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { axe } from './axe.mjs';
import { apiFetch, apiPost, openApp } from './browser.mjs';
import { serverAndBrowser } from './fixture.mjs';

const DRAFT = /Recommandation pour une gouvernance concertée du service public du numérique éducatif/;
const VOTED = /Avis sur la mise à niveau numérique des écoles primaires/;

/** Opens the list as `as` and waits for its view. */
async function openList(env, as, colorScheme = 'light') {
  const app = await openApp(env.browser, env.server.url, { as, hash: '#/opinions', colorScheme });
  await app.page.locator('section.op-list[data-loaded="true"]').waitFor({ timeout: 20_000 });
  return app;
}

/** Follows the list's link to the text whose title matches, and waits for its record. */
async function openDetail(page, title) {
  await page.locator('[data-testid="opinion-row"] a', { hasText: title }).click();
  await page.locator('section.op-detail[data-loaded="true"] [data-testid="opinion-title"]').waitFor({ timeout: 10_000 });
}

const rowOf = (page, title) => page.locator('[data-testid="opinion-row"]', { hasText: title });

describe('opinions page (demo server)', { timeout: 120_000 }, () => {
  const env = serverAndBrowser({ demo: true });

  it('lists and shows the demo texts in French, filters them, and passes axe', async () => {
    const { page, context, errors } = await openList(env);
    try {
      assert.equal(await page.locator('h1').innerText(), 'Avis et recommandations');
      assert.equal(await page.locator('[data-testid="opinions-count"]').innerText(), '2 textes');
      const draft = rowOf(page, DRAFT);
      const voted = rowOf(page, VOTED);
      assert.match(await draft.innerText(), /Recommandation[\s\S]*Gouvernance à la bonne échelle[\s\S]*Projet/);
      assert.match(await voted.innerText(), /Avis[\s\S]*Infrastructures et équipements[\s\S]*Soumis au vote/);
      assert.deepEqual(await page.locator('table thead th').allInnerTexts(), [
        'Texte',
        'Groupe de travail',
        'Statut',
        'Amendements à examiner',
        'Mis à jour',
      ]);
      assert.deepEqual(await axe(page), [], 'list, French');

      await page.locator('[data-testid="filter-status"]').selectOption('voting');
      assert.equal(await page.locator('[data-testid="opinions-count"]').innerText(), '1 texte');
      assert.equal(await page.locator('[data-testid="opinion-row"]').count(), 1);
      await page.locator('[data-testid="filter-status"]').selectOption('');
      await page.locator('[data-testid="filter-group"]').selectOption({ label: 'Gouvernance à la bonne échelle' });
      assert.match(await page.locator('[data-testid="opinion-row"]').innerText(), DRAFT);
      await page.getByRole('button', { name: 'Effacer les filtres' }).click();
      assert.equal(await page.locator('[data-testid="opinion-row"]').count(), 2);

      // The text put to the vote: frozen, bound to the demo consultation by its hash.
      await openDetail(page, VOTED);
      const id = await page.locator('section.op-detail').getAttribute('data-id');
      assert.match(await page.locator('[data-testid="opinion-text"]').innerText(), /inégalités territoriales/);
      assert.match(await page.locator('.op-facts').innerText(), /Soumis au vote/);
      const read = await apiFetch(page, 'GET', `/api/v1/views/opinion-details/${id}`);
      assert.equal(read.status, 200);
      const sha = createHash('sha256').update(read.body.item.text, 'utf8').digest('hex');
      assert.equal(await page.locator('[data-testid="frozen-hash"]').getAttribute('data-sha256'), sha);
      assert.equal(read.body.item.frozen_sha256, sha);
      assert.match(await page.locator('[data-testid="op-consultations"]').innerText(), /Le comité adopte-t-il l.avis/);
      assert.match(await page.locator('[data-testid="op-history"]').innerText(), /Création du projet[\s\S]*En examen[\s\S]*Soumis au vote/);
      // The secretariat (MEN-DNE) is in the drafting group: it may withdraw, not publish.
      assert.equal(await page.locator('[data-testid="action-withdraw-open"]').count(), 1);
      assert.equal(await page.locator('[data-testid="action-publish"]').count(), 0);
      assert.deepEqual(await axe(page), [], 'detail, French');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }

    // An observer reads published texts only: none yet.
    const observer = await openList(env, 'observer@demo.invalid');
    try {
      assert.equal(await observer.page.locator('[data-testid="opinions-count"]').innerText(), '0 texte');
      assert.equal(await observer.page.locator('[data-testid="opinion-row"]').count(), 0);
    } finally {
      await observer.context.close();
    }
  });

  it('speaks English and passes axe on the list and the detail (dark)', async () => {
    const { page, context } = await openList(env, undefined, 'dark');
    try {
      await page.getByRole('button', { name: 'English' }).click();
      await page.locator('h1', { hasText: 'Opinions and recommendations' }).waitFor();
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      assert.equal(await page.locator('[data-testid="opinions-count"]').innerText(), '2 texts');
      assert.match(await rowOf(page, DRAFT).innerText(), /Recommendation[\s\S]*Draft/i);
      assert.match(await rowOf(page, VOTED).innerText(), /Put to the vote/);
      assert.deepEqual(await axe(page), [], 'list, English');

      await openDetail(page, DRAFT);
      assert.match(await page.locator('.op-facts').innerText(), /Status\s*Draft/);
      assert.match(await page.locator('[data-testid="opinion-text"]').innerText(), /gouvernance concertée et partagée/);
      assert.equal(await page.locator('[data-testid="amendments-count"]').innerText(), 'No amendment.');
      assert.equal(await page.locator('[data-testid="action-submit"]').innerText(), 'Submit for review');
      assert.deepEqual(await axe(page), [], 'detail, English');
    } finally {
      await context.close();
    }
  });

  it('shows a member’s amendment live to the secretariat, which accepts it', async () => {
    const sec = await openList(env);
    const member = await openList(env, 'cdc@demo.invalid');
    try {
      await openDetail(sec.page, DRAFT);
      const id = await sec.page.locator('section.op-detail').getAttribute('data-id');

      // A whole-text edit from version 1 is refused once someone else changed the text,
      // and what was typed stays; from the new version it goes through.
      await sec.page.locator('[data-testid="edit-open"]').click();
      const area = sec.page.locator('[data-testid="edit-text"]');
      const typed = (await area.inputValue()) + '\n\nLe comité se réunit deux fois par an.';
      await area.fill(typed);
      const other = await apiPost(member.page, '/api/v1/opinions/edit-text', { opinion_id: id, base_version: 1, text: 'x' });
      assert.equal(other.status, 403, 'CDC does not draft in this group');
      const meanwhile = await apiPost(sec.page, '/api/v1/opinions/edit-text', {
        opinion_id: id,
        base_version: 1,
        text: (await area.inputValue()).replace('\n\nLe comité se réunit deux fois par an.', '').replace('Le comité des partenaires', 'Le Comité des partenaires'),
      });
      assert.equal(meanwhile.status, 200, JSON.stringify(meanwhile.body));
      await sec.page.locator('[data-testid="edit-stale"]').waitFor();
      await sec.page.locator('[data-testid="edit-save"]').click();
      assert.match(await sec.page.locator('[data-testid="edit-error"]').innerText(), /Le texte a changé depuis votre version/);
      assert.equal(await area.inputValue(), typed);
      await sec.page.getByRole('button', { name: 'Annuler' }).click();
      await sec.page.locator('[data-testid="edit-open"]').click();
      await area.fill((await area.inputValue()) + '\n\nLe comité se réunit deux fois par an.');
      await sec.page.locator('[data-testid="edit-save"]').click();
      assert.equal(await sec.page.locator('[data-testid="edit-success"]').innerText(), 'Texte enregistré (version 3).');
      assert.match(await sec.page.locator('[data-testid="opinion-text"]').innerText(), /Le Comité des partenaires[\s\S]*deux fois par an\.$/);

      // Submitting for review opens amendments; the status shows once the view has it.
      await sec.page.locator('[data-testid="action-submit"]').click();
      await sec.page.locator('[data-testid="action-success"]').waitFor();
      assert.match(await sec.page.locator('.op-facts').innerText(), /En examen/);
      assert.equal(await sec.page.locator('[data-testid="edit-open"]').count(), 0);

      // CDC is not in the drafting group: it may propose, not decide.
      await openDetail(member.page, DRAFT);
      await member.page.locator('[data-testid="propose-amendment"]').waitFor();
      assert.equal(await member.page.locator('[data-testid="action-submit"]').count(), 0);
      await member.page.getByLabel('Passage à modifier').fill('plateforme numérique de bonnes pratiques');
      await member.page.getByLabel('Nouvelle rédaction').fill('plateforme nationale de bonnes pratiques');
      await member.page.getByLabel('Motif (facultatif)').fill('Préciser l’échelle');
      await member.page.locator('[data-testid="propose-submit"]').click();
      await member.page.locator('[data-testid="propose-success"]').waitFor();
      assert.equal(await member.page.getByLabel('Passage à modifier').inputValue(), '');
      assert.equal(await member.page.locator('[data-testid="amendment"]').count(), 1);

      // The secretariat's page, untouched since, shows it without a reload.
      await sec.page.evaluate(() => {
        window.__marker = 'same-page';
      });
      const amendment = sec.page.locator('[data-testid="amendment"]');
      await amendment.waitFor({ timeout: 10_000 });
      assert.match(await amendment.innerText(), /Amendement de CDC \(Membre\)[\s\S]*À examiner[\s\S]*plateforme nationale/);
      assert.equal(await sec.page.locator('[data-testid="amendments-count"]').innerText(), '1 amendement, dont 1 à examiner');
      assert.match(await sec.page.locator('[data-testid="pending-first"]').innerText(), /\(1\)/);
      await amendment.locator('[data-testid="amendment-accept"]').click();
      await sec.page.locator('[data-testid="amendment-decision-success"]').waitFor();
      assert.equal(await amendment.getAttribute('data-state'), 'accepted');
      assert.match(await sec.page.locator('[data-testid="opinion-text"]').innerText(), /plateforme nationale de bonnes pratiques/);
      assert.equal(await sec.page.locator('[data-testid="opinion-version"]').innerText(), '4');
      assert.equal(await sec.page.locator('[data-testid="action-openVote"]').count(), 1, 'nothing pending: the vote may open');
      assert.equal(await sec.page.evaluate(() => window.__marker), 'same-page');

      // And the member sees the decision and the new text live too.
      await member.page.locator('[data-testid="amendment"][data-state="accepted"]').waitFor({ timeout: 10_000 });
      assert.match(await member.page.locator('[data-testid="opinion-text"]').innerText(), /plateforme nationale/);
      assert.deepEqual(await axe(sec.page), [], 'detail with an amendment, French');
      assert.deepEqual([...sec.errors, ...member.errors], []);
    } finally {
      await sec.context.close();
      await member.context.close();
    }
  });
});
