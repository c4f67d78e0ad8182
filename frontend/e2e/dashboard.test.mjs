// The dashboard shows what needs the signed-in person from the demo committee's real
// data — the vote to cast, the meetings of their groups, overdue sheets, recent activity —
// and follows other people's actions live (an amendment to review arrives, with a
// notification; a vote cast leaves the list); fr and en, axe-clean.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { axe } from './axe.mjs';
import { apiFetch, apiPost, eventually, openApp } from './browser.mjs';
import { serverAndBrowser } from './fixture.mjs';

const LOADED = '[data-testid="dashboard"][data-loaded="true"]';
const QUESTION = /Le comité adopte-t-il l.avis sur la mise à niveau numérique des écoles primaires \?/;

async function items(page, view) {
  const res = await apiFetch(page, 'GET', `/api/v1/views/${view}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.items;
}

describe('dashboard (demo server)', { timeout: 120_000 }, () => {
  const env = serverAndBrowser({ demo: true });

  it('shows the secretariat what needs it, in French and English, without WCAG violation', async () => {
    const { page, context, errors } = await openApp(env.browser, env.server.url, { hash: '#/' });
    try {
      await page.locator(LOADED).waitFor();
      assert.equal(await page.locator('h1').innerText(), 'Tableau de bord');
      assert.match(await page.locator('.lead').innerText(), /Bonjour Secrétariat/);

      const votes = page.locator('[data-testid="dash-votes"]');
      assert.match(await votes.locator('h2').innerText(), /Votes à exprimer/);
      assert.match(await votes.locator('.count').innerText(), /^1 vote$/);
      const vote = votes.locator('li a');
      assert.match(await vote.innerText(), QUESTION);
      assert.match(await vote.getAttribute('href'), /^#\/consultations\/[0-9a-f-]{36}$/);
      assert.match(await votes.locator('li').innerText(), /Clôture le \d+ \S+ \d{4} à 17:00/);

      const meetings = page.locator('[data-testid="dash-meetings"]');
      assert.match(await meetings.innerText(), /Deuxième journée du numérique à l.École/);
      assert.match(await meetings.innerText(), /journée de partage · ENS de Lyon/);
      assert.match(await meetings.locator('li a').getAttribute('href'), /^#\/groups\/[0-9a-f-]{36}$/);
      assert.match(await page.locator('[data-testid="dash-amendments"]').innerText(), /Aucun amendement en attente dans vos groupes/);
      assert.match(await page.locator('[data-testid="dash-sheets"]').innerText(), /Aucune fiche-action en retard/);

      const activity = page.locator('[data-testid="dash-activity"] .activity-list > li');
      assert.equal(await activity.count(), 8);
      assert.match(await activity.first().innerText(), /MEN-DNE a porté l’avancement de « Raccorder chaque école primaire au très haut débit » à 25 %/);
      assert.deepEqual(await axe(page), [], 'French');

      await page.getByRole('button', { name: 'English' }).click();
      await page.locator('h1', { hasText: 'Dashboard' }).waitFor();
      assert.match(await votes.locator('h2').innerText(), /Votes to cast/);
      assert.match(await votes.locator('li').innerText(), /Closes on \S+ \d+, \d{4}/);
      assert.match(await meetings.innerText(), /sharing day · ENS de Lyon/);
      assert.match(await activity.first().innerText(), /MEN-DNE recorded “Raccorder chaque école primaire au très haut débit” at 25%/);
      assert.deepEqual(await axe(page), [], 'English');

      await page.getByRole('link', { name: 'See the whole decision timeline' }).click();
      await page.locator('main[data-page="timeline"]').waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it('follows other people’s actions live: an amendment to review arrives, a vote cast leaves', async () => {
    const amf = await openApp(env.browser, env.server.url, { as: 'amf@demo.invalid', hash: '#/' });
    const sec = await openApp(env.browser, env.server.url, { hash: '#/' });
    try {
      await amf.page.locator(LOADED).waitFor();
      await amf.page.locator('#connection-status', { hasText: 'En direct' }).waitFor();
      await amf.page.evaluate(() => {
        window.__marker = 'still-here';
      });
      // A member sees its own organisation's vote and its groups' meetings.
      const votes = amf.page.locator('[data-testid="dash-votes"]');
      assert.match(await votes.locator('li a').innerText(), QUESTION);
      assert.match(await amf.page.locator('[data-testid="dash-meetings"] h2').innerText(), /Prochaines réunions de vos groupes/);
      assert.match(await amf.page.locator('[data-testid="dash-meetings"]').innerText(), /Deuxième journée du numérique/);
      const amendments = amf.page.locator('[data-testid="dash-amendments"]');
      assert.match(await amendments.innerText(), /Aucun amendement en attente/);

      // The secretariat opens the draft recommendation of the group AMF leads to
      // amendments, and proposes one.
      const draft = (await items(sec.page, 'opinions')).find((o) => o.title.startsWith('Recommandation pour une gouvernance'));
      assert.ok(draft, 'the demo draft recommendation');
      let res = await apiPost(sec.page, '/api/v1/opinions/submit-for-review', { opinion_id: draft.id });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      res = await apiPost(sec.page, '/api/v1/opinions/propose-amendment', {
        opinion_id: draft.id,
        passage: 'gouvernance concertée et partagée',
        replacement: 'gouvernance partagée',
        reason: 'Plus court.',
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));

      const waiting = amendments.locator('li', { hasText: 'Recommandation pour une gouvernance' });
      await waiting.waitFor({ timeout: 10_000 });
      assert.match(await waiting.innerText(), /1 amendement en attente · Groupe « Gouvernance à la bonne échelle »/);
      assert.match(await waiting.locator('a').getAttribute('href'), new RegExp(`^#/opinions/${draft.id}$`));
      await amf.page
        .locator('[data-testid="dash-activity"] .activity-list > li', { hasText: 'a proposé un amendement à « Recommandation' })
        .waitFor();
      const toast = amf.page.locator('[data-testid="notifications-toast"]');
      await toast.locator('p', { hasText: 'a proposé un amendement' }).waitFor();
      assert.match(await toast.innerText(), /Dans un de vos groupes/);
      assert.match(await amf.page.locator('[data-testid="notifications-button"]').innerText(), /Notifications\s*\d/);

      // AMF votes: the vote leaves its list, live.
      const consultation = (await items(amf.page, 'consultations')).find((c) => QUESTION.test(c.question));
      const ids = Object.fromEntries((await items(amf.page, 'organisations')).map((o) => [o.acronym, o.id]));
      res = await apiPost(amf.page, '/api/v1/consultations/cast-ballot', {
        consultation_id: consultation.id,
        organisation_id: ids.AMF,
        choices: ['pour'],
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      await votes.locator('p', { hasText: 'Aucun vote n’attend votre organisation.' }).waitFor({ timeout: 10_000 });
      assert.equal(await votes.locator('.count').innerText(), '0 vote');
      assert.equal(await amf.page.evaluate(() => window.__marker), 'still-here', 'the page did not reload');
      assert.deepEqual(amf.errors, []);
    } finally {
      await amf.context.close();
      await sec.context.close();
    }
  });

  it('shows an observer published material only, and nothing to vote or review', async () => {
    const { page, context } = await openApp(env.browser, env.server.url, { as: 'observer@demo.invalid', hash: '#/', colorScheme: 'dark' });
    try {
      await page.locator(LOADED).waitFor();
      assert.equal(await page.locator('[data-testid="dash-votes"]').count(), 0);
      assert.equal(await page.locator('[data-testid="dash-amendments"]').count(), 0);
      assert.match(await page.locator('[data-testid="dash-meetings"] h2').innerText(), /^Prochaines réunions$/);
      const activity = page.locator('[data-testid="dash-activity"] .activity-list > li');
      await eventually(async () => (await activity.count()) > 0, { message: 'recent activity' });
      for (const type of await activity.evaluateAll((els) => els.map((e) => e.getAttribute('data-type')))) {
        assert.doesNotMatch(type, /^(opinions|consultations)\./, 'drafts and open votes are not published material');
      }
      assert.doesNotMatch(await page.locator('[data-testid="dash-activity"]').innerText(), /@demo\.invalid/);
      assert.deepEqual(await axe(page), [], 'French, dark');
    } finally {
      await context.close();
    }
  });
});
