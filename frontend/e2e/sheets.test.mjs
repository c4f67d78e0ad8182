// The action sheets page (fiches-actions) against a real demo server: the demo's sheets
// with their real data, the filters, a CSV import through the file input that another
// context sees live, an invalid file refused line by line with nothing imported, a
// member's actions on its own sheet, French and English, and axe in both.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { axe } from './axe.mjs';
import { eventually, openApp } from './browser.mjs';
import { serverAndBrowser } from './fixture.mjs';

const DEMO = {
  commune: 'Raccorder chaque école primaire au très haut débit',
  departement: 'Mutualiser la maintenance des équipements par un syndicat mixte',
  region: 'Établir la feuille de route numérique régionale des lycées',
};

/** Opens #/sheets as a persona and waits for the board's view. */
async function openSheets(browser, url, as) {
  const app = await openApp(browser, url, { as, hash: '#/sheets' });
  await app.page.locator('[data-testid="sheets-page"][data-loaded="true"]').waitFor({ timeout: 20_000 });
  return app;
}

const card = (page, title) => page.locator('article.sheet', { has: page.locator('h3', { hasText: title }) });
const titles = (page) => page.locator('article.sheet h3').allInnerTexts();
const count = (page) => page.locator('[data-testid="sheets-count"]').innerText();

/** A civil date n days from today, as the forms and files write it. */
function inDays(n) {
  const d = new Date(Date.now() + n * 86_400_000);
  return d.toISOString().slice(0, 10);
}

describe('action sheets page (demo server)', { timeout: 150_000 }, () => {
  const env = serverAndBrowser({ demo: true });

  it('shows the demo sheets by level, filters them, in French and English, axe-clean', async () => {
    const { page, context, errors } = await openSheets(env.browser, env.server.url, 'secretariat@demo.invalid');
    try {
      assert.equal(await page.locator('h1').innerText(), 'Fiches-actions');
      assert.equal(await count(page), '3 fiches-actions');
      assert.deepEqual(
        await page.locator('.sheets__level h2').allInnerTexts(),
        ['Commune (1)', 'Département (1)', 'Région (1)'],
      );
      assert.deepEqual(await titles(page), [DEMO.commune, DEMO.departement, DEMO.region]);

      // The commune's sheet was started and reported on by the demo.
      const commune = card(page, DEMO.commune);
      assert.equal(await commune.locator('[data-testid="sheet-status"]').innerText(), 'En cours');
      assert.equal(await commune.locator('[data-testid="sheet-owner"]').innerText(), 'AMRF');
      assert.match(await commune.locator('[data-testid="sheet-percent"]').innerText(), /^25\s%/);
      assert.match(await commune.innerText(), /Infrastructures et équipements/);
      // Due in 12 months, in French words; the machine date is kept in the <time>.
      const due = commune.locator('[data-testid="sheet-due"]');
      assert.match(await due.innerText(), /^\d{1,2}(er)? [a-zéû]+ \d{4}$/);
      assert.match(await due.getAttribute('datetime'), /^\d{4}-\d{2}-\d{2}$/);
      assert.equal(await card(page, DEMO.departement).locator('[data-testid="sheet-owner"]').innerText(), 'ADF');
      assert.equal(await card(page, DEMO.region).locator('[data-testid="sheet-status"]').innerText(), 'Prévue');
      assert.equal(await page.locator('[data-testid="sheet-overdue"]').count(), 0, 'no demo sheet is late');

      // Filters, from the keyboard: level, then status, owner and overdue only.
      await page.locator('#filter-level').selectOption('region');
      assert.deepEqual(await titles(page), [DEMO.region]);
      assert.equal(await count(page), '1 fiche-action affichée sur 3');
      await page.locator('[data-testid="filters-reset"]').click();
      assert.equal(await count(page), '3 fiches-actions');
      await page.locator('#filter-status').selectOption('in_progress');
      assert.deepEqual(await titles(page), [DEMO.commune]);
      await page.locator('#filter-status').selectOption('');
      await page.locator('#filter-owner').selectOption({ label: 'ADF' });
      assert.deepEqual(await titles(page), [DEMO.departement]);
      await page.locator('#filter-owner').selectOption('');
      await page.locator('#filter-theme').selectOption('gouvernance');
      assert.deepEqual(await titles(page), [DEMO.region]);
      await page.locator('#filter-theme').selectOption('');
      await page.locator('#filter-overdue').focus();
      await page.keyboard.press('Space');
      assert.equal(await page.locator('#filter-overdue').isChecked(), true);
      assert.deepEqual(await titles(page), []);
      assert.match(await page.locator('.sheets').innerText(), /Aucune fiche-action ne correspond à ces filtres/);
      await page.keyboard.press('Space');
      assert.equal(await titles(page).then((t) => t.length), 3);

      assert.deepEqual(await axe(page), [], 'French');

      // A sheet's own page: its history, in French.
      await card(page, DEMO.commune).locator('h3 a').click();
      await page.locator('h1', { hasText: DEMO.commune }).waitFor();
      await page.locator('[data-testid="sheets-page"][data-loaded="true"]').waitFor();
      const history = page.locator('[data-testid="sheet-history"] li');
      assert.equal(await history.count(), 3, await page.locator('[data-testid="sheet-history"]').innerText());
      assert.match(await history.nth(2).innerText(), /Avancement : 25\s%, au .*\n?.*Recensement des écoles non raccordées/s);
      assert.match(await page.locator('[data-testid="sheet-owner"]').innerText(), /^AMRF — /);
      assert.deepEqual(await axe(page), [], 'French, one sheet');
      await page.locator('a', { hasText: 'Toutes les fiches-actions' }).click();
      await page.locator('[data-testid="sheets-count"]', { hasText: '3 fiches-actions' }).waitFor();

      await page.getByRole('button', { name: 'English' }).click();
      await page.locator('h1', { hasText: 'Action sheets' }).waitFor();
      assert.equal(await count(page), '3 action sheets');
      assert.equal(await card(page, DEMO.commune).locator('[data-testid="sheet-status"]').innerText(), 'In progress');
      assert.match(await card(page, DEMO.commune).locator('[data-testid="sheet-due"]').innerText(), /^[A-Z][a-z]+ \d{1,2}, \d{4}$/);
      assert.match(await card(page, DEMO.commune).innerText(), /Infrastructure and equipment/);
      await page.locator('#filter-level').selectOption('departement');
      assert.equal(await count(page), '1 action sheet shown of 3');
      await page.locator('[data-testid="filters-reset"]').click();
      assert.deepEqual(await axe(page), [], 'English');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it('imports a CSV file that another reader sees live; a bad file is refused line by line and adds nothing', async () => {
    const a = await openSheets(env.browser, env.server.url, 'secretariat@demo.invalid');
    const b = await openSheets(env.browser, env.server.url, 'observer@demo.invalid');
    try {
      const before = await titles(b.page);
      assert.match(await b.page.locator('.sheets__readonly').innerText(), /lecture seule/);
      assert.equal(await b.page.locator('[data-testid="open-import"]').count(), 0);

      const tag = Date.now().toString(36);
      const good = [
        'titre;niveau;theme;organisation;echeance;description',
        `Ouvrir un tiers-lieu numérique ${tag};Intercommunalité;Accompagnement des acteurs et de la communauté éducative;AMF;${inDays(200)};Un lieu par EPCI`,
        `Publier le référentiel des ENT ${tag};etat;referentiels;MEN-DNE;${inDays(300)};`,
      ].join('\n');
      await a.page.locator('[data-testid="open-import"]').click();
      await a.page.locator('#import-file').setInputFiles({ name: 'fiches.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
      // A check (dry run) first: nothing is added.
      await a.page.locator('[data-testid="import-check"]').click();
      await a.page.locator('[data-testid="sheets-notice"]', { hasText: 'aucune erreur' }).waitFor();
      assert.equal(await count(a.page), `${before.length} fiches-actions`);
      await a.page.locator('[data-testid="import-submit"]').click();
      await a.page.locator('[data-testid="sheets-notice"]', { hasText: '2 fiches-actions importées.' }).waitFor();
      // Read-your-writes: once success shows, the board already holds them.
      assert.ok((await titles(a.page)).includes(`Ouvrir un tiers-lieu numérique ${tag}`));
      assert.equal(await count(a.page), `${before.length + 2} fiches-actions`);

      // The other reader sees them arrive, without reloading, in their levels.
      await b.page.locator('article.sheet h3', { hasText: `Publier le référentiel des ENT ${tag}` }).waitFor({ timeout: 10_000 });
      await b.page.locator('article.sheet h3', { hasText: `Ouvrir un tiers-lieu numérique ${tag}` }).waitFor();
      assert.equal(await count(b.page), `${before.length + 2} fiches-actions`);
      assert.ok((await b.page.locator('.sheets__level h2').allInnerTexts()).includes('Intercommunalité (1)'));
      assert.equal(
        await card(b.page, `Ouvrir un tiers-lieu numérique ${tag}`).locator('[data-testid="sheet-owner"]').innerText(),
        'AMF',
      );

      // A bad file: every problem named by line and column, nothing imported.
      const bad = [
        'titre;niveau;theme;organisation;echeance',
        `Une fiche correcte ${tag};commune;usages;AMF;${inDays(100)}`,
        `Mauvais niveau ${tag};canton;usages;AMF;${inDays(100)}`,
        `Échéance passée ${tag};region;usages;NOPE;2001-01-01`,
      ].join('\n');
      await a.page.locator('#import-file').setInputFiles({ name: 'erreurs.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
      await a.page.locator('[data-testid="import-submit"]').click();
      const error = a.page.locator('[data-testid="import-error"]');
      await error.waitFor();
      assert.match(await error.innerText(), /aucune fiche-action n.a été importée/i);
      const problems = await a.page.locator('[data-testid="import-problems"] li').allInnerTexts();
      assert.deepEqual(problems, [
        'Ligne 3, colonne « niveau » : Cette valeur n’est pas autorisée.',
        'Ligne 4, colonne « echeance » : Cette date est déjà passée.',
        'Ligne 4, colonne « organisation » : Cette organisation n’est pas membre du comité.',
      ]);
      assert.equal(await a.page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'import-error');
      assert.deepEqual(await axe(a.page), [], 'French, import refused');
      // Nothing arrived anywhere: the correct line of the bad file is not on the board.
      await new Promise((r) => setTimeout(r, 500));
      for (const p of [a.page, b.page]) {
        assert.equal(await count(p), `${before.length + 2} fiches-actions`);
        assert.ok(!(await titles(p)).includes(`Une fiche correcte ${tag}`));
      }

      // The same refusal reads in English.
      await a.page.getByRole('button', { name: 'English' }).click();
      await a.page.locator('[data-testid="import-problems"] li', { hasText: 'Line 3, column “level”' }).waitFor();
      assert.match(await a.page.locator('[data-testid="import-problems"]').innerText(), /Line 4, column “due_date”: This date is already past\./);
      assert.deepEqual(await axe(a.page), [], 'English, import refused');
    } finally {
      await a.context.close();
      await b.context.close();
    }
  });

  it('lets a member create, start, report on and complete its own sheets only', async () => {
    const { page, context, errors } = await openSheets(env.browser, env.server.url, 'adf@demo.invalid');
    try {
      assert.equal(await page.locator('[data-testid="open-import"]').count(), 0, 'members do not import');
      assert.equal(await card(page, DEMO.commune).locator('button').count(), 0, 'no action on another organisation’s sheet');

      // Creating: an empty form names its fields, a filled one adds the sheet.
      await page.locator('[data-testid="open-create"]').click();
      assert.match(await page.locator('[data-testid="own-organisation"]').innerText(), /ADF/);
      await page.getByRole('button', { name: 'Créer la fiche-action' }).click();
      await page.locator('[data-testid="create-error"]').waitFor();
      assert.equal(await page.locator('[data-testid="error-cs-title"]').innerText(), 'Ce champ est obligatoire.');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'cs-title');
      assert.deepEqual(await axe(page), [], 'French, creation refused');
      const title = `Former les agents des collèges ${Date.now().toString(36)}`;
      await page.locator('#cs-title').fill(title);
      await page.locator('#cs-level').selectOption('departement');
      await page.locator('#cs-theme').selectOption('accompagnement');
      await page.locator('#cs-due').fill(inDays(120));
      await page.getByRole('button', { name: 'Créer la fiche-action' }).click();
      await page.locator('[data-testid="sheets-notice"]', { hasText: title }).waitFor();
      const mine = card(page, title);
      assert.equal(await mine.locator('[data-testid="sheet-owner"]').innerText(), 'ADF');
      assert.equal(await mine.locator('[data-testid="sheet-status"]').innerText(), 'Prévue');

      // Start, report progress, complete.
      await mine.getByRole('button', { name: 'Engager' }).click();
      await page.locator('[data-testid="sheets-notice"]', { hasText: 'est engagée' }).waitFor();
      assert.equal(await mine.locator('[data-testid="sheet-status"]').innerText(), 'En cours');
      await mine.getByRole('button', { name: 'Signaler un avancement' }).click();
      await mine.getByLabel('Avancement (en %)').fill('40');
      await mine.getByLabel('Commentaire').fill('Deux sessions sur cinq tenues.');
      await mine.getByRole('button', { name: 'Enregistrer l’avancement' }).click();
      await page.locator('[data-testid="sheets-notice"]', { hasText: 'L’avancement' }).waitFor();
      assert.match(await mine.locator('[data-testid="sheet-percent"]').innerText(), /^40\s%/);
      await mine.getByRole('button', { name: 'Marquer comme réalisée' }).click();
      await mine.getByRole('button', { name: 'Confirmer : fiche réalisée' }).click();
      await eventually(async () => (await mine.locator('[data-testid="sheet-status"]').innerText()) === 'Réalisée', {
        message: 'the sheet shows done',
      });
      assert.equal(await mine.locator('button').count(), 0, 'a done sheet offers no action');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
