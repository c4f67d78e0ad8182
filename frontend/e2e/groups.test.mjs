// The working groups page against the demo committee: real groups and meetings in French
// and English, axe-clean list and detail; a meeting scheduled through the form appears
// live in another user's browser; attendance and minutes recorded through the UI reach
// members live, and observers see the minutes without the attendance.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { axe } from './axe.mjs';
import { apiFetch, apiPost, eventually, openApp } from './browser.mjs';
import { serverAndBrowser } from './fixture.mjs';

const SUPPORT = 'Accompagnement des acteurs et de la communauté éducative';
const GOVERNANCE = 'Gouvernance à la bonne échelle';
const JOURNEE = "Deuxième journée du numérique à l'École";

/** Opens the groups list as persona `as` and waits for the view. */
async function openGroups(env, as, opts = {}) {
  const app = await openApp(env.browser, env.server.url, { as, hash: '#/groups', ...opts });
  await app.page.locator('section.groups__list[data-loaded="true"]').waitFor({ timeout: 20_000 });
  return app;
}

/** Opens a group's detail from the list, as a user would. */
async function openGroup(page, name) {
  await page.getByRole('link', { name, exact: true }).click();
  await page.locator('.groups-detail[data-loaded="true"]').waitFor({ timeout: 10_000 });
  assert.equal(await page.locator('h1').innerText(), name);
}

function row(page, name) {
  return page.locator('[data-testid="group-row"]', { has: page.getByRole('link', { name, exact: true }) });
}

describe('working groups page (demo server)', { timeout: 180_000 }, () => {
  const env = serverAndBrowser({ demo: true });

  it('lists the demo groups and shows one, in French, axe-clean', async () => {
    const { page, context, errors } = await openGroups(env, 'secretariat@demo.invalid');
    try {
      assert.equal(await page.locator('h1').innerText(), 'Groupes de travail');
      assert.equal(await page.locator('[data-testid="groups-count"]').innerText(), '6 groupes de travail');
      assert.equal(await page.locator('[data-testid="group-row"]').count(), 6);
      assert.deepEqual(await page.locator('table thead th').allInnerTexts(), ['Groupe', 'Thème', 'Statut', 'Membres', 'Prochaine réunion']);
      const support = row(page, SUPPORT);
      const text = await support.innerText();
      assert.match(text, /VI/, 'lead organisation');
      assert.match(text, /Ouvert/);
      assert.match(text, /4 organisations/);
      assert.match(await support.locator('[data-testid="next-meeting"]').innerText(), /Deuxième journée du numérique à l.École[\s\S]*Journée de partage/);
      assert.match(await row(page, GOVERNANCE).innerText(), /5 organisations[\s\S]*Aucune réunion prévue/);
      assert.deepEqual(await axe(page), [], 'list, French');

      await openGroup(page, SUPPORT);
      assert.match(await page.locator('.groups-hero .lead').innerText(), /accompagnement des enseignants/);
      assert.match(await page.locator('.facts').innerText(), /Organisation pilote[\s\S]*\(VI\)/);
      const members = await page.locator('[data-testid="group-members"] li').allInnerTexts();
      assert.equal(members.length, 4, members.join(' | '));
      for (const a of ['VI', 'AMF', 'CDC', 'MEN-DNE']) assert.ok(members.some((m) => m.startsWith(a)), `${a} in ${members}`);
      assert.ok(members.some((m) => /^VI[\s\S]*Pilote[\s\S]*Membre depuis le/i.test(m)), members.join(' | '));
      const journee = page.locator('[data-testid="upcoming-meetings"] [data-testid="meeting"]', { hasText: JOURNEE });
      assert.match(await journee.innerText(), /Journée de partage[\s\S]*ENS de Lyon/i);
      assert.deepEqual(await journee.locator('[data-testid="agenda"] li').allInnerTexts(), [
        'Répartition des financements — présenté par CDC',
        'Réponses industrielles aux besoins des établissements et des collectivités — présenté par MEFI',
        'Formation des enseignants et des agents des collectivités — présenté par MEN-DNE',
      ]);
      assert.equal(await page.locator('[data-testid="past-meetings"] .empty').innerText(), 'Aucune réunion passée.');
      assert.equal(await page.locator('#schedule-title').innerText(), 'Planifier une réunion');
      assert.deepEqual(await axe(page), [], 'detail, French');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it('speaks English, axe-clean in the dark theme too', async () => {
    const { page, context } = await openGroups(env, 'cdc@demo.invalid', { colorScheme: 'dark' });
    try {
      await page.getByRole('button', { name: 'English' }).click();
      await page.locator('h1', { hasText: 'Working groups' }).waitFor();
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      assert.equal(await page.locator('[data-testid="groups-count"]').innerText(), '6 working groups');
      assert.deepEqual(await page.locator('table thead th').allInnerTexts(), ['Group', 'Theme', 'Status', 'Members', 'Next meeting']);
      assert.match(await row(page, SUPPORT).innerText(), /Support for stakeholders and the educational community[\s\S]*Open[\s\S]*Sharing day/);
      assert.match(await row(page, GOVERNANCE).innerText(), /No meeting planned/);
      assert.deepEqual(await axe(page), [], 'list, English');

      await openGroup(page, SUPPORT);
      assert.match(await page.locator('.facts').innerText(), /Lead organisation/);
      assert.match(await page.locator('[data-testid="upcoming-meetings"]').innerText(), /Sharing day \(journée de partage\)[\s\S]*presented by CDC/i);
      // CDC belongs to the group: it may schedule its meetings.
      assert.equal(await page.locator('#schedule-title').innerText(), 'Schedule a meeting');
      assert.deepEqual(await axe(page), [], 'detail, English');
    } finally {
      await context.close();
    }
  });

  it('shows a meeting scheduled through the form to another member at once, without reload', async () => {
    const sec = await openGroups(env, 'secretariat@demo.invalid');
    const amf = await openGroups(env, 'amf@demo.invalid');
    try {
      await openGroup(sec.page, SUPPORT);
      const title = 'Conférence de consensus sur les ressources numériques';
      const form = sec.page.locator('[data-testid="schedule-form"]');

      // A date in the past is refused next to its field, and what was typed stays.
      await form.getByLabel('Intitulé').fill(title);
      await form.getByLabel('Type de réunion').selectOption('conference_de_consensus');
      await form.getByLabel('Date et heure').fill('2020-01-06T10:00');
      await form.getByLabel('Lieu').fill('Paris, ministère');
      await form.getByLabel('Ordre du jour').fill('Ouverture\nÉtat des lieux des ressources\nSynthèse');
      await form.getByRole('button', { name: 'Planifier la réunion' }).click();
      await sec.page.locator('[data-testid="schedule-error"]').waitFor();
      assert.match(await form.locator('.field--error').innerText(), /La date doit être dans le futur/);
      assert.equal(await form.getByLabel('Intitulé').inputValue(), title);
      assert.deepEqual(await axe(sec.page), [], 'form with an error');

      const tomorrow = await sec.page.evaluate(() => {
        const d = new Date(Date.now() + 24 * 3600 * 1000);
        const p = (n) => String(n).padStart(2, '0');
        return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T10:00`;
      });
      await form.getByLabel('Date et heure').fill(tomorrow);
      await form.getByRole('button', { name: 'Planifier la réunion' }).click();
      await sec.page.locator('[data-testid="schedule-success"]').waitFor();
      // Read-your-writes: once success shows, the meeting is on the page already.
      const mine = sec.page.locator('[data-testid="upcoming-meetings"] [data-testid="meeting"]', { hasText: title });
      assert.equal(await mine.count(), 1);
      assert.match(await mine.innerText(), /Conférence de consensus[\s\S]*Paris, ministère/i);
      assert.deepEqual(await mine.locator('[data-testid="agenda"] li').allInnerTexts(), ['Ouverture', 'État des lieux des ressources', 'Synthèse']);
      assert.equal(await form.getByLabel('Intitulé').inputValue(), '', 'the form is reset after success');
      // Upcoming meetings come soonest first.
      assert.equal(await sec.page.locator('[data-testid="upcoming-meetings"] h4').first().innerText(), title);

      // AMF's list, opened before, now names it as the group's next meeting.
      await eventually(async () => /Conférence de consensus sur les ressources/.test(await row(amf.page, SUPPORT).locator('[data-testid="next-meeting"]').innerText()), {
        message: 'the next meeting in AMF’s list',
      });
      await openGroup(amf.page, SUPPORT);
      assert.match(await amf.page.locator('[data-testid="upcoming-meetings"]').innerText(), /Conférence de consensus sur les ressources numériques/);
      assert.deepEqual(sec.errors, []);
      assert.deepEqual(amf.errors, []);
    } finally {
      await sec.context.close();
      await amf.context.close();
    }
  });

  it('records attendance and publishes minutes through the UI; members see them live, observers without attendance', async () => {
    const sec = await openGroups(env, 'secretariat@demo.invalid');
    const amf = await openGroups(env, 'amf@demo.invalid');
    const obs = await openGroups(env, 'observer@demo.invalid');
    try {
      await openGroup(sec.page, GOVERNANCE);
      await openGroup(amf.page, GOVERNANCE);
      await openGroup(obs.page, GOVERNANCE);
      assert.equal(await obs.page.locator('[data-testid="schedule-form"]').count(), 0, 'observers schedule nothing');
      assert.match(await obs.page.locator('[data-testid="read-only"]').innerText(), /observateur/);

      // A meeting starting in a few seconds: it moves to the past meetings by itself.
      const groupId = await sec.page.locator('.groups-detail').getAttribute('data-id');
      const title = 'Point d’étape sur la gouvernance';
      const res = await apiPost(sec.page, '/api/v1/workinggroups/schedule-meeting', {
        group_id: groupId, title, kind: 'meeting', starts_at: new Date(Date.now() + 3000).toISOString(),
        place: 'Visioconférence', agenda: [{ title: 'Tour de table' }],
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const meeting = sec.page.locator('[data-testid="past-meetings"] [data-testid="meeting"]', { hasText: title });
      await meeting.waitFor({ timeout: 15_000 });
      assert.match(await meeting.locator('[data-testid="attendance"]').innerText(), /Présences non relevées/);
      assert.match(await meeting.locator('[data-testid="minutes"]').innerText(), /Compte rendu non publié/);

      // Attendance: AMF excused, everybody else present.
      await meeting.locator('summary', { hasText: 'Relever les présences' }).click();
      await meeting.getByRole('group', { name: 'Présence de AMF' }).getByLabel('Excusé').check();
      await meeting.getByRole('button', { name: 'Enregistrer les présences' }).click();
      await meeting.locator('[data-testid="attendance-success"]').waitFor();
      const attendance = await meeting.locator('[data-testid="attendance"]').innerText();
      assert.match(attendance, /Présents\s+[^\n]*MEN-DNE/);
      assert.match(attendance, /Excusés\s+AMF/);

      // Minutes.
      const minutes = 'Les membres ont fait le point sur la feuille de route.\nProchaine étape : la plateforme de bonnes pratiques.';
      await meeting.locator('summary', { hasText: 'Publier le compte rendu' }).click();
      await meeting.getByLabel('Texte du compte rendu').fill(minutes);
      await meeting.getByRole('button', { name: 'Publier le compte rendu' }).click();
      await meeting.locator('[data-testid="minutes-success"]').waitFor();
      assert.equal(await meeting.locator('[data-testid="minutes-text"]').innerText(), minutes);
      assert.match(await meeting.locator('[data-testid="minutes"]').innerText(), /Version 1, publiée le/);
      assert.deepEqual(await axe(sec.page), [], 'detail with a past meeting and its forms open');

      // AMF sees both without reload; the observer sees the minutes, never the attendance.
      const amfMeeting = amf.page.locator('[data-testid="meeting"]', { hasText: title });
      await amfMeeting.locator('[data-testid="minutes-text"]', { hasText: 'feuille de route' }).waitFor({ timeout: 10_000 });
      assert.match(await amfMeeting.locator('[data-testid="attendance"]').innerText(), /Excusés\s+AMF/);
      const obsMeeting = obs.page.locator('[data-testid="meeting"]', { hasText: title });
      await obsMeeting.locator('[data-testid="minutes-text"]', { hasText: 'feuille de route' }).waitFor({ timeout: 10_000 });
      assert.equal(await obsMeeting.locator('[data-testid="attendance"]').count(), 0);
      assert.equal(await obsMeeting.locator('[data-testid="attendance-action"]').count(), 0);
      const read = await apiFetch(obs.page, 'GET', `/api/v1/views/groups/${groupId}`);
      assert.equal(read.status, 200);
      assert.ok(!JSON.stringify(read.body).includes('"attendance"'), 'the API hides attendance from observers too');
      for (const app of [sec, amf, obs]) assert.deepEqual(app.errors, []);
    } finally {
      await sec.context.close();
      await amf.context.close();
      await obs.context.close();
    }
  });
});
