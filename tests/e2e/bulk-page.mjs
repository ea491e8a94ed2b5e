// What the bulk page's cases (bulk.cases.mjs, workflow.cases.mjs) do alike: open the page,
// start from no earlier run, wait for a run's end, export the CSV.
import { waitFor } from './harness.mjs';

export const bulkPageReady = (page) => waitFor(page, () => document.body.dataset.ready === 'true', [], { what: 'bulk page ready' });

export async function openBulk(browser) {
  const page = await browser.open('bulk.html');
  await bulkPageReady(page);
  return page;
}

/** A bulk page with no earlier run on record, so "finished" can only mean this case's run. */
export async function openFreshBulk(browser) {
  const page = await openBulk(browser);
  await page.eval(async () => chrome.storage.session.remove(Object.keys(await chrome.storage.session.get(null)).filter((item) => item.startsWith('bulkJob'))));
  await page.reload();
  await bulkPageReady(page);
  return page;
}

/** Waits until the page shows the run finished. */
export const finished = (page, timeout = 20_000) => waitFor(page, () => document.getElementById('bulk-run').dataset.running === 'false'
  && document.getElementById('bulk-counts').textContent.includes('Finished'), [], { timeout, what: 'run finished' });

/** Presses "Export CSV" and returns the file's text. */
export async function exportedCsv(page) {
  await page.click('#bulk-export');
  return waitFor(page, async () => {
    const link = document.getElementById('bulk-csv-link');
    return link.href ? (await fetch(link.href)).text() : null;
  }, [], { what: 'CSV' });
}
