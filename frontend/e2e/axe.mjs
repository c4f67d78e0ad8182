// axe-core in the browser tests: the WCAG 2.1 A/AA violations of a page, as readable lines.
import assert from 'node:assert/strict';
import AxeBuilder from '@axe-core/playwright';

/** The rule sets every page must pass. */
export const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * Runs axe on the page and returns one line per violation (empty when the page passes):
 * assert.deepEqual(await axe(page), []).
 * @param {import('playwright-core').Page} page
 */
export async function axe(page) {
  const result = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  const summary = result.violations.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => `${n.target.join(' ')} — ${n.failureSummary?.replace(/\n/g, ' ')}`).join('\n  ')}`,
  );
  assert.ok(result.passes.length > 10, 'axe ran its checks');
  return summary;
}
