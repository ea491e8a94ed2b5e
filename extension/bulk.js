// Bulk page glue: collects lines, asks the background to run them, and shows the run from
// storage.session (so closing and reopening this page shows it still going, or finished).
// Parsing, scheduling, stopping, retries and the CSV are the core's.
import * as core from './core.js';
import { askBackground } from './messages.js';
import { $, downloadText, hideResult, onClick, onSubmit, showFailure, showResult } from './ui.js';
import { failureText, localize, regionName, t } from './i18n.js';
import { managedJson, onPolicyChanged, policyOf } from './policy.js';

const STATE_TEXT = { pending: 'rowPending', running: 'rowRunning', skipped: 'rowSkipped' };

/** @param {import('./keyturn.js').BulkRunView} run */
function renderInvalid(run) {
  $('bulk-invalid').replaceChildren(...(run.invalid ?? []).map((line) =>
    Object.assign(document.createElement('li'), { textContent: t('bulkInvalidLine', line.line, line.text, failureText(line)) })));
}

/** @param {StoredItems['bulkRun']} run */
function renderRun(run) {
  if (!run || !run.rows?.length) return;
  $('bulk-run').hidden = false;
  const { done, failed, remaining } = run.counts;
  $('bulk-progress').max = run.rows.length;
  $('bulk-progress').value = done + failed;
  $('bulk-counts').textContent = `${t('bulkCounts', done, failed, remaining)}${run.running ? '' : ` · ${t('bulkFinished')}`}`;
  $('bulk-run').dataset.running = String(Boolean(run.running));
  $('bulk-stopped').hidden = !run.stopped;
  // In English the core's own words (they quote Treasure's refusal); otherwise the translation.
  $('bulk-stopped').textContent = run.stopped ? failureText({ code: 'BULK_STOPPED', message: run.stopped }) : '';
  $('bulk-retry').disabled = run.running || failed === 0;
  $('bulk-export').disabled = run.running;
  $('bulk-start').disabled = Boolean(run.running);
  $('bulk-rows').tBodies[0].replaceChildren(...run.rows.map((row) => {
    const tr = document.createElement('tr');
    tr.dataset.state = row.state;
    tr.dataset.oid = row.oid;
    const result = row.state === 'done' ? t('rowReplaced', row.name, row.type)
      : row.state === 'failed' ? `${row.code}: ${failureText(row)}` : t(STATE_TEXT[row.state]);
    for (const text of [row.oid, regionName({ id: row.region, label: row.regionLabel }), result]) tr.append(Object.assign(document.createElement('td'), { textContent: text }));
    return tr;
  }));
  renderInvalid(run);
}

async function start() {
  localize();
  await core.startCore();
  // Only the regions the administrator's policy offers (the background refuses the others too).
  const offerRegions = async () => {
    const offered = policyOf(await managedJson()).treasureRegions;
    $('bulk-region').replaceChildren(new Option(t('bulkRegionChoose'), ''), ...core.treasureRegions()
      .filter((region) => offered.includes(region.id)).map((region) => new Option(`${regionName(region)} (${region.apiHost})`, region.id)));
  };
  await offerRegions();
  onPolicyChanged(offerRegions);

  onClick($('bulk-add-tabs'), async () => {
    const tabs = await chrome.tabs.query({});
    const urls = tabs.map((tab) => tab.url).filter((url) => url && core.detectDataModelPage(url));
    const text = $('bulk-lines').value.trim();
    $('bulk-lines').value = [text, ...urls].filter(Boolean).join('\n');
    showResult($('bulk-result'), 'ok', [t('bulkTabsAdded', urls.length)], 'OK');
  });

  onSubmit($('bulk-form'), $('bulk-start'), async () => {
    hideResult($('bulk-result'));
    try {
      const run = await askBackground('bulk', 'start', { lines: $('bulk-lines').value, region: $('bulk-region').value, key: $('bulk-key').value });
      renderInvalid(run);
      const lines = [t('bulkToReplace', run.rows.length)];
      if (run.duplicates) lines.push(t('bulkDuplicates', run.duplicates));
      if (run.invalid.length) lines.push(t('bulkInvalidCount', run.invalid.length));
      showResult($('bulk-result'), run.rows.length ? 'ok' : 'error', lines, run.rows.length ? 'OK' : 'NOTHING_TO_RUN');
    } catch (error) {
      showFailure($('bulk-result'), error);
    }
  });

  onClick($('bulk-retry'), async () => {
    hideResult($('bulk-result'));
    try {
      await askBackground('bulk', 'retry', { key: $('bulk-key').value });
    } catch (error) {
      showFailure($('bulk-result'), error);
    }
  });

  onClick($('bulk-export'), async () => {
    const { bulkRun } = /** @type {StoredItems} */ (await chrome.storage.session.get('bulkRun'));
    downloadText($('bulk-csv-link'), core.bulkRunCsv(JSON.stringify(bulkRun)), 'text/csv',
      `keyturn-run-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}.csv`);
  });

  chrome.storage.onChanged.addListener((changes, area) => {
    if (area === 'session' && changes.bulkRun) renderRun(/** @type {StoredItems['bulkRun']} */ (changes.bulkRun.newValue));
  });
  const { bulkRun } = /** @type {StoredItems} */ (await chrome.storage.session.get('bulkRun'));
  renderRun(bulkRun);
  document.body.dataset.ready = 'true';
}

start();
