// The decision timeline renders the demo committee's decisions as sentences in French and
// English, filters them, and shows another user's decision live, as a notification to
// the members it concerns; axe finds no WCAG 2.1 AA violation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { axe } from './axe.mjs';
import { apiFetch, apiPost, eventually, openApp } from './browser.mjs';
import { serverAndBrowser } from './fixture.mjs';

const LOADED = '[data-testid="timeline"][data-loaded="true"]';
const QUESTION = 'Le comité adopte-t-il l.avis sur la mise à niveau numérique des écoles primaires \\?';

/** The demo organisations' IDs by acronym, read with the page's session. */
async function orgIds(page) {
  const res = await apiFetch(page, 'GET', '/api/v1/views/organisations');
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return Object.fromEntries(res.body.items.map((o) => [o.acronym, o.id]));
}

/** How many entries the timeline lists. */
const entries = (page) => page.locator('.timeline-list > li');

describe('decision timeline (demo server)', { timeout: 120_000 }, () => {
  const env = serverAndBrowser({ demo: true });

  it('shows the demo decisions as sentences, newest first, filters them, in French and English', async () => {
    const { page, context, errors } = await openApp(env.browser, env.server.url, { hash: '#/timeline' });
    try {
      await page.locator(LOADED).waitFor();
      assert.equal(await page.locator('h1').innerText(), 'Chronologie des décisions');
      assert.ok((await entries(page).count()) >= 40, `${await entries(page).count()} entries`);
      assert.match(await page.locator('[data-testid="timeline-count"]').innerText(), /^\d+ entrées$/);

      // Newest first: the demo's last step is the progress of the first sheet.
      assert.match(
        await entries(page).first().innerText(),
        /MEN-DNE a porté l’avancement de « Raccorder chaque école primaire au très haut débit » à 25 %/,
      );
      const opened = page.locator('li[data-type="consultations.consultation.opened"]');
      assert.match(await opened.innerText(), new RegExp(`MEN-DNE a ouvert la consultation « ${QUESTION} », jusqu’au \\d+ \\S+ \\d{4} à \\d\\d:\\d\\d`));
      assert.match(await opened.innerText(), /secretariat@demo\.invalid/);
      assert.match(await opened.locator('a').getAttribute('href'), /^#\/consultations\/[0-9a-f-]{36}$/);
      const draft = page.locator('li[data-type="opinions.opinion.created"]', { hasText: 'Recommandation pour une gouvernance' });
      assert.match(await draft.innerText(), /a créé la recommandation « Recommandation pour une gouvernance concertée .* » dans le groupe « Gouvernance à la bonne échelle »/);
      assert.match(await draft.locator('a').getAttribute('href'), /^#\/opinions\/[0-9a-f-]{36}$/);
      assert.equal(await page.locator('li[data-type^="opinions.draft"]').count(), 0, 'the initial text is the creation’s');
      assert.match(await page.locator('.timeline-day h3').first().innerText(), /^[A-Z]\S+ \d+ \S+ \d{4}$/);

      // Filters: area, group, organisation, words (accents and case ignored).
      await page.selectOption('#tl-context', 'consultations');
      await eventually(async () => (await entries(page).count()) === 1, { message: 'one consultation entry' });
      await page.selectOption('#tl-context', '');
      await page.fill('#tl-text', 'RACCORDER ecole');
      await eventually(async () => (await entries(page).count()) === 3, { message: 'three entries of the first sheet' });
      assert.equal(await page.locator('[data-testid="timeline-count"]').innerText(), '3 entrées');
      await page.getByRole('button', { name: 'Effacer les filtres' }).click();
      await page.selectOption('#tl-group', { label: 'Gouvernance à la bonne échelle' });
      // The group's creation, its four members added, the draft recommendation.
      await eventually(async () => (await entries(page).count()) === 6, { message: 'six entries of the group' });
      await page.selectOption('#tl-group', '');
      await page.selectOption('#tl-org', { label: 'AMRF' });
      await eventually(async () => (await page.locator('li[data-type="actionsheets.sheet.created"]').count()) === 1, {
        message: 'AMRF’s sheet only',
      });
      assert.match(await page.locator('li[data-type="actionsheets.sheet.created"]').innerText(), /confiée à AMRF/);
      assert.ok((await page.locator('li[data-type="workinggroups.group.member_added"]').count()) >= 2);

      await page.getByRole('button', { name: 'English' }).click();
      await page.locator('h1', { hasText: 'Decision timeline' }).waitFor();
      await page.getByRole('button', { name: 'Clear the filters' }).click();
      await eventually(async () => (await entries(page).count()) >= 40, { message: 'every entry again' });
      assert.match(await opened.innerText(), new RegExp(`MEN-DNE opened the consultation “${QUESTION}”, until \\S+ \\d+, \\d{4}`));
      assert.match(await page.locator('[data-testid="timeline-count"]').innerText(), /^\d+ entries$/);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it('has no WCAG 2.1 AA violation, in French (light) and in English (dark)', async () => {
    for (const [colorScheme, lang] of [
      ['light', 'fr'],
      ['dark', 'en'],
    ]) {
      const { page, context } = await openApp(env.browser, env.server.url, { hash: '#/timeline', colorScheme });
      try {
        await page.locator(LOADED).waitFor();
        if (lang === 'en') {
          await page.getByRole('button', { name: 'English' }).click();
          await page.locator('h1', { hasText: 'Decision timeline' }).waitFor();
        }
        await page.fill('#tl-text', 'raccorder');
        await page.getByRole('button', { name: lang === 'fr' ? 'Effacer les filtres' : 'Clear the filters' }).waitFor();
        assert.deepEqual(await axe(page), [], `${lang} ${colorScheme}`);
      } finally {
        await context.close();
      }
    }
  });

  it('shows another user’s decision live, and notifies the organisations it concerns', async () => {
    const amf = await openApp(env.browser, env.server.url, { as: 'amf@demo.invalid', hash: '#/timeline' });
    const sec = await openApp(env.browser, env.server.url, { hash: '#/timeline' });
    try {
      await amf.page.locator(LOADED).waitFor();
      await sec.page.locator(LOADED).waitFor();
      await amf.page.locator('#connection-status', { hasText: 'En direct' }).waitFor();
      await amf.page.evaluate(() => {
        window.__marker = 'still-here';
      });
      const before = await entries(amf.page).count();
      assert.equal(await amf.page.locator('[data-testid="notifications-badge"]').count(), 0, 'the snapshot is not news');

      // The secretariat opens a vote whose electorate holds AMF.
      const ids = await orgIds(sec.page);
      const question = 'Le comité approuve-t-il son calendrier de travail ?';
      const deadline = new Date(Date.now() + 7 * 86_400_000).toISOString();
      const res = await apiPost(sec.page, '/api/v1/consultations/open-consultation', {
        question,
        kind: 'yes_no_abstain',
        electorate: [{ organisation_id: ids.AMF }, { organisation_id: ids['MEN-DNE'] }],
        quorum: { min_participation: 50 },
        deadline,
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));

      const top = entries(amf.page).first();
      await amf.page.locator('.timeline-list > li', { hasText: question }).waitFor({ timeout: 10_000 });
      assert.match(await top.innerText(), new RegExp(`MEN-DNE a ouvert la consultation « ${question.replace('?', '\\?')} »`));
      assert.equal(await entries(amf.page).count(), before + 1);
      const toast = amf.page.locator('[data-testid="notifications-toast"]');
      await toast.locator('p', { hasText: question }).waitFor();
      assert.match(await toast.innerText(), /Votre organisation doit voter/);
      assert.equal(await toast.getAttribute('aria-live'), 'polite');
      assert.equal(await amf.page.locator('[data-testid="notifications-badge"] [aria-hidden="true"]').innerText(), '1');
      await amf.page.getByRole('button', { name: 'Notifications 1 non lue' }).waitFor();
      // The secretariat's own action is no news to it.
      await sec.page.locator('.timeline-list > li', { hasText: question }).waitFor();
      assert.equal(await sec.page.locator('[data-testid="notifications-badge"]').count(), 0);

      // A meeting in a group AMF leads is news too; the list keeps both, newest first.
      const groups = await apiFetch(sec.page, 'GET', '/api/v1/views/groups');
      const gov = groups.body.items.find((g) => g.name === 'Gouvernance à la bonne échelle');
      const meeting = await apiPost(sec.page, '/api/v1/workinggroups/schedule-meeting', {
        group_id: gov.id,
        title: 'Réunion de cadrage',
        kind: 'meeting',
        starts_at: deadline,
        place: 'Paris',
        agenda: [{ title: 'Calendrier' }],
      });
      assert.equal(meeting.status, 200, JSON.stringify(meeting.body));
      await toast.locator('p', { hasText: 'Réunion de cadrage' }).waitFor();
      assert.match(await toast.innerText(), /Dans un de vos groupes/);
      const button = amf.page.locator('[data-testid="notifications-button"]');
      assert.match(await button.innerText(), /Notifications\s*2/);
      assert.equal(await button.getAttribute('aria-expanded'), 'false');
      await button.click();
      assert.equal(await button.getAttribute('aria-expanded'), 'true');
      const panel = amf.page.locator('[data-testid="notifications-panel"]');
      await panel.waitFor();
      const items = panel.locator('li');
      assert.equal(await items.count(), 2);
      assert.match(await items.nth(0).innerText(), /Nouveau[\s\S]*Dans un de vos groupes[\s\S]*Réunion de cadrage/);
      assert.match(await items.nth(1).innerText(), /Votre organisation doit voter[\s\S]*calendrier de travail/);
      assert.deepEqual(await axe(amf.page), [], 'French, notifications open');

      await items.nth(0).getByRole('button', { name: /Marquer comme lu/ }).click();
      await eventually(async () => /Notifications\s*1/.test(await button.innerText()), { message: 'one unread left' });
      await amf.page.getByRole('button', { name: 'Tout marquer comme lu' }).click();
      await eventually(async () => (await amf.page.locator('[data-testid="notifications-badge"]').count()) === 0, {
        message: 'no unread left',
      });
      await amf.page.keyboard.press('Escape');
      assert.equal(await button.getAttribute('aria-expanded'), 'false');
      assert.equal(await amf.page.evaluate(() => window.__marker), 'still-here', 'the page did not reload');

      // Kept across a reload, read; in English.
      await amf.page.reload();
      await amf.page.locator(LOADED).waitFor();
      await amf.page.getByRole('button', { name: 'English' }).click();
      await amf.page.locator('h1', { hasText: 'Decision timeline' }).waitFor();
      await button.click();
      assert.equal(await items.count(), 2);
      assert.match(await items.nth(1).innerText(), /Read[\s\S]*Your organisation must vote[\s\S]*MEN-DNE opened the consultation/);
      assert.deepEqual(await axe(amf.page), [], 'English, notifications open');
      assert.deepEqual(amf.errors, []);
    } finally {
      await amf.context.close();
      await sec.context.close();
    }
  });
});
