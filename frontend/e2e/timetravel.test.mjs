// Time travel in a real browser against a real demo server: the secretariat writes a
// text's history through the API (created, rewritten, put to a live-tally vote, two
// ballots); an auditor opens the text, moves the history slider back with the keyboard
// and sees the tally, then the text, as they were — read from the server with ?at — and
// comes back to the present; axe finds no violation with the past shown.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { axe } from './axe.mjs';
import { apiFetch, apiPost, eventually, openApp } from './browser.mjs';
import { serverAndBrowser } from './fixture.mjs';

const FIRST = 'Premier jet : raccorder chaque école au très haut débit.';
const REVISED = 'Texte révisé en séance : raccorder chaque école et chaque collège au très haut débit.';

/** Posts a command and fails unless it is accepted; returns its reply. */
async function post(page, path, body) {
  const r = await apiPost(page, path, body);
  assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.body)}`);
  return r.body;
}

/** The history: returns the text's and its consultation's IDs. */
async function writeHistory(env) {
  const sec = await openApp(env.browser, env.server.url, {});
  const amf = await openApp(env.browser, env.server.url, { as: 'amf@demo.invalid' });
  try {
    const orgs = (await apiFetch(sec.page, 'GET', '/api/v1/views/organisations')).body.items;
    const orgID = (acronym) => orgs.find((o) => o.acronym === acronym).id;
    const groups = (await apiFetch(sec.page, 'GET', '/api/v1/views/groups')).body.items;
    const group = groups.find((g) => g.name === 'Gouvernance à la bonne échelle');
    assert.ok(group, 'the demo governance group');
    const created = await post(sec.page, '/api/v1/opinions/create-opinion', {
      kind: 'opinion',
      title: 'Avis sur le raccordement des écoles',
      group_id: group.id,
      text: FIRST,
    });
    const id = created.events[0].stream.replace('opinion-', '');
    const detail = async () => (await apiFetch(sec.page, 'GET', `/api/v1/views/opinion-details/${id}?min_position=${created.position}`)).body.item;
    await post(sec.page, '/api/v1/opinions/edit-text', { opinion_id: id, base_version: (await detail()).version, text: REVISED });
    await post(sec.page, '/api/v1/opinions/submit-for-review', { opinion_id: id });
    const vote = await post(sec.page, '/api/v1/opinions/open-vote', { opinion_id: id });
    const frozen = (await apiFetch(sec.page, 'GET', `/api/v1/views/opinion-details/${id}?min_position=${vote.position}`)).body.item;
    const opened = await post(sec.page, '/api/v1/consultations/open-consultation', {
      question: 'Le comité adopte-t-il l’avis sur le raccordement des écoles ?',
      kind: 'yes_no_abstain',
      electorate: [{ organisation_id: orgID('MEN-DNE') }, { organisation_id: orgID('AMF') }],
      deadline: new Date(Date.now() + 86_400_000).toISOString(),
      results: 'live',
      opinion_id: id,
      opinion_text_sha256: frozen.frozen_versions.at(-1).sha256,
    });
    const consultation = opened.events[0].stream.replace('consultation-', '');
    await post(sec.page, '/api/v1/consultations/cast-ballot', { consultation_id: consultation, organisation_id: orgID('MEN-DNE'), choices: ['pour'] });
    await post(amf.page, '/api/v1/consultations/cast-ballot', { consultation_id: consultation, organisation_id: orgID('AMF'), choices: ['contre'] });
    return { id, consultation };
  } finally {
    await sec.context.close();
    await amf.context.close();
  }
}

/** The past panel once it shows a state: its position, text, tally and turnout. */
async function pastShown(page) {
  const past = page.locator('[data-testid="travel-past"][data-position]');
  await past.waitFor({ timeout: 15_000 });
  const tally = {};
  for (const li of await page.locator('[data-testid="travel-tally"] li').all()) {
    tally[await li.getAttribute('data-option')] = Number(await li.getAttribute('data-weight'));
  }
  const text = await page.locator('[data-testid="travel-text"]').innerText();
  const turnout = (await page.locator('[data-testid="travel-turnout"]').count()) ? await page.locator('[data-testid="travel-turnout"]').innerText() : '';
  return { position: Number(await past.getAttribute('data-position')), text, tally, turnout };
}

describe('time travel (demo server)', { timeout: 150_000 }, () => {
  const env = serverAndBrowser({ demo: true });
  let written;

  it('an auditor moves the slider back and sees the tally and the text as they were', async () => {
    written = await writeHistory(env);
    const { id } = written;
    const { page, context, errors } = await openApp(env.browser, env.server.url, { as: 'auditor@demo.invalid', hash: `#/opinions/${id}` });
    try {
      await page.locator('section.op-detail[data-loaded="true"]').waitFor({ timeout: 20_000 });
      const range = page.locator('[data-testid="travel-range"]');
      // created, its text, rewritten, submitted, put to the vote, consultation opened, two ballots
      await eventually(async () => Number(await range.getAttribute('max')) >= 7, { message: 'the history has its steps' });
      const last = Number(await range.getAttribute('max'));
      assert.equal(await range.inputValue(), String(last));
      await page.locator('[data-testid="travel-present"]').waitFor();
      // Today: two ballots, one for, one against.
      assert.match(await page.locator('[data-testid="opinion-text"]').innerText(), /Texte révisé en séance/);

      // One step back: before AMF's ballot — one ballot, for.
      await range.focus();
      await page.keyboard.press('ArrowLeft');
      let past = await pastShown(page);
      assert.equal(await range.inputValue(), String(last - 1));
      assert.deepEqual(past.tally, { pour: 1, contre: 0, abstention: 0 }, JSON.stringify(past));
      assert.match(past.turnout, /1 vote sur 2 organisations/);
      assert.equal(past.text, REVISED);
      assert.match(await page.locator('[data-testid="travel-step"]').innerText(), /vot/i);
      // The step's position is the one the panel was read at.
      assert.equal(Number(await page.locator('[data-testid="travel-step"]').getAttribute('data-position')), past.position);

      // Back to the start: the text is created (empty), then its first draft is written.
      await page.keyboard.press('Home');
      await eventually(async () => (await pastShown(page)).position < past.position && /créé/.test(await page.locator('[data-testid="travel-step"]').innerText()), {
        message: 'the creation',
      });
      await page.keyboard.press('ArrowRight');
      await eventually(async () => (await pastShown(page)).text === FIRST, { message: 'the first draft' });
      assert.equal(await page.locator('[data-testid="travel-consultation"]').count(), 0);
      assert.deepEqual(await axe(page), [], 'past state shown, French');

      // Forward step by step until the rewrite appears: the step is a change of the text.
      for (let i = 0; i < last && (await pastShown(page)).text !== REVISED; i++) {
        await page.locator('button', { hasText: 'Étape suivante' }).click();
        await page.waitForTimeout(50);
      }
      assert.equal((await pastShown(page)).text, REVISED);
      assert.match(await page.locator('[data-testid="travel-step"]').innerText(), /Texte modifié \(version 2\)/);

      // The present again.
      await page.locator('button', { hasText: 'Revenir au présent' }).click();
      await page.locator('[data-testid="travel-present"]').waitFor();
      assert.equal(await range.inputValue(), String(last));
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it('recounts the closed vote under other weights as a simulation, the official result untouched', async () => {
    assert.ok(written, 'the history of the first test');
    const { page, context, errors } = await openApp(env.browser, env.server.url, {});
    try {
      await post(page, '/api/v1/consultations/close-consultation', { consultation_id: written.consultation });
      await page.evaluate((hash) => (location.hash = hash), `#/consultations/${written.consultation}`);
      const panel = page.locator('[data-testid="cons-recount"]');
      await panel.waitFor({ timeout: 15_000 });
      // Official: one for, one against — a tie rejects.
      assert.match(await page.locator('[data-testid="cons-outcome"]').innerText(), /Rejeté/);
      // What each voter could see: the running tally, the ballots already in, the text's hash.
      const saw = await page.locator('[data-testid="cons-saw"]').allInnerTexts();
      assert.equal(saw.length, 2);
      assert.match(saw[0], /a vu le décompte en cours \(0 bulletin avant le sien\) ; texte [0-9a-f]{12}…/);
      assert.match(saw[1], /a vu le décompte en cours \(1 bulletin avant le sien\)/);
      const amf = (await apiFetch(page, 'GET', '/api/v1/views/organisations')).body.items.find((o) => o.acronym === 'AMF').id;
      // A weight out of range is refused on the form, nothing asked.
      await panel.locator(`input[data-org="${amf}"]`).fill('-5');
      await panel.locator('[data-testid="cons-recount-run"]').click();
      await panel.locator('.field__error').waitFor();
      assert.equal(await panel.locator('[data-testid="cons-recount-result"]').count(), 0);
      // AMF weighing nothing: adopted, as a simulation.
      await panel.locator(`input[data-org="${amf}"]`).fill('0');
      await panel.locator('[data-testid="cons-recount-run"]').click();
      const result = panel.locator('[data-testid="cons-recount-result"]');
      await result.waitFor({ timeout: 10_000 });
      assert.equal(await result.getAttribute('data-outcome'), 'adopted');
      assert.match(await result.innerText(), /Simulation[\s\S]*Adopté[\s\S]*Le résultat officiel reste : Rejeté/i);
      assert.match(await page.locator('[data-testid="cons-outcome"]').innerText(), /Rejeté/);
      const official = (await apiFetch(page, 'GET', `/api/v1/views/consultations/${written.consultation}`)).body.item.result.outcome;
      assert.equal(official, 'rejected');
      assert.deepEqual(await axe(page), [], 'recount shown, French');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it('prints the text’s whole history as a report (PDF)', async () => {
    assert.ok(written, 'the history of the first tests');
    const { page, context, errors } = await openApp(env.browser, env.server.url, { as: 'auditor@demo.invalid', hash: `#/opinions/${written.id}` });
    try {
      await page.locator('[data-testid="report-link"]').click();
      const report = page.locator('article.op-report[data-loaded="true"]');
      await report.waitFor({ timeout: 15_000 });
      assert.equal(await page.locator('[data-testid="report-title"]').innerText(), 'Avis sur le raccordement des écoles');
      assert.equal(await page.locator('[data-testid="report-text"]').innerText(), REVISED);
      // Its steps, down to the rejection the process manager recorded at the close.
      const steps = async () => (await page.locator('[data-testid="report-history"] li').allInnerTexts()).map((h) => h.split(' —')[0]);
      await eventually(async () => (await steps()).length === 4, { message: 'the rejection in the report' });
      assert.deepEqual(await steps(), ['Création du projet', 'En examen', 'Soumis au vote', 'Rejeté']);
      // The drafting record: MEN-DNE wrote the first text and rewrote it.
      assert.match(await page.locator('[data-testid="report-drafting"]').innerText(), /MEN-DNE[^\n]*2 modifications/);
      const item = (await apiFetch(page, 'GET', `/api/v1/views/opinion-details/${written.id}`)).body.item;
      assert.equal(await page.locator('[data-testid="report-hash"]').getAttribute('data-sha256'), item.frozen_versions[0].sha256);
      assert.match(await page.locator('[data-testid="report-votes"]').innerText(), /résultat : Rejeté \(2 votes sur 2 organisations\)/);
      assert.deepEqual(await axe(page), [], 'report, French');
      // Printed: the navigation is left out, the PDF is made.
      await page.emulateMedia({ media: 'print' });
      assert.equal(await page.locator('[data-testid="workspace-nav"]').isVisible(), false);
      assert.equal(await page.locator('[data-testid="report-print"]').isVisible(), false);
      const pdf = await page.pdf({ format: 'A4' });
      assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
      assert.ok(pdf.length > 5_000, `PDF of ${pdf.length} bytes`);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it('moves the whole committee back in time from the timeline, and exports the history', async () => {
    const { page, context, errors } = await openApp(env.browser, env.server.url, { as: 'auditor@demo.invalid', hash: '#/timeline' });
    try {
      const travel = page.locator('[data-testid="committee-travel"]');
      await travel.waitFor({ timeout: 20_000 });
      const range = travel.locator('[data-testid="travel-range"]');
      const present = await apiFetch(page, 'GET', '/api/v1/views/organisations');
      // The first step: the committee was just created, no organisation yet.
      await range.focus();
      await page.keyboard.press('Home');
      await travel.locator('[data-testid="travel-past"][data-position]').waitFor({ timeout: 15_000 });
      const count = async (id) => Number((await travel.locator(`dd[data-testid="${id}"]`).innerText()).trim());
      const first = await count('travel-organisations');
      assert.ok(first < present.body.items.length, `${first} organisations at the start, ${present.body.items.length} now`);
      // Halfway: more organisations than at the start, at most as many as now.
      const max = Number(await range.getAttribute('max'));
      await range.fill(String(Math.floor(max / 2)));
      await eventually(async () => Number(await travel.locator('[data-testid="travel-past"]').getAttribute('data-position')) > 0 && (await count('travel-organisations')) > first, {
        message: 'organisations added by halfway',
      });
      assert.ok((await count('travel-organisations')) <= present.body.items.length);
      assert.deepEqual(await axe(page), [], 'committee back in time, French');
      await travel.locator('button', { hasText: 'Revenir au présent' }).click();
      await travel.locator('[data-testid="travel-present"]').waitFor();
      // The export link downloads the whole history as CSV.
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="timeline-export"] a', { hasText: 'CSV' }).click()]);
      assert.match(download.suggestedFilename(), /^comite-timeline-\d{8}-\d{6}\.csv$/);
      const csv = await (await import('node:fs/promises')).readFile(await download.path(), 'utf8');
      assert.match(csv.split('\n')[0], /^position,time,since,count,context,type,/);
      assert.ok(csv.split('\n').length > 20, 'the demo history in CSV');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
