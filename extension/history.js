// History page glue: shows storage.local's rotation history (no secrets in it) and
// exports it; the CSV is the core's.
import { historyCsv, historyOutcomeKind, startCore } from './core.js';
import { askBackground } from './messages.js';
import { $, downloadText, onClick } from './ui.js';
import { localize, t } from './i18n.js';

async function entries() {
  const { history = [] } = /** @type {StoredItems} */ (await chrome.storage.local.get('history'));
  return history;
}

/** The history as last read, for re-filtering without another storage read. */
let shown = /** @type {import('./keyturn.js').HistoryEntry[]} */ ([]);

/** @param {import('./keyturn.js').HistoryEntry[]} history */
function render(history) {
  shown = history;
  $('history-empty').hidden = history.length > 0;
  $('history-full').hidden = history.length === 0;
  const service = $('filter-service').value;
  const outcome = $('filter-outcome').value;
  const matching = history.filter((entry) => (!service || entry.service === service)
    && (!outcome || historyOutcomeKind(entry.outcome) === outcome));
  $('history-count').textContent = t('historyShown', matching.length, history.length);
  $('history-no-match').hidden = matching.length > 0;
  $('history-table').tBodies[0].replaceChildren(...matching.map((entry) => {
    const row = document.createElement('tr');
    row.dataset.kind = historyOutcomeKind(entry.outcome);
    const cells = [new Date(entry.at).toLocaleString(), entry.service, entry.place, entry.target, entry.outcome, entry.fingerprint, entry.issued ?? ''];
    for (const text of cells) row.append(Object.assign(document.createElement('td'), { textContent: text }));
    return row;
  }));
}

const download = (text, type, extension) =>
  downloadText($('history-download'), text, type, `keyturn-history-${new Date().toISOString().slice(0, 10)}.${extension}`);

async function start() {
  localize();
  await startCore();
  onClick($('history-csv'), async () => download(historyCsv(JSON.stringify(await entries())), 'text/csv', 'csv'));
  onClick($('history-json'), async () => download(JSON.stringify(await entries(), null, 2), 'application/json', 'json'));
  onClick($('history-clear'), () => askBackground('history', 'clear', {}));
  for (const filter of ['filter-service', 'filter-outcome']) $(filter).addEventListener('change', () => render(shown));
  chrome.storage.onChanged.addListener((changes, area) => {
    if (area === 'local' && changes.history) render(/** @type {StoredItems['history']} */ (changes.history.newValue) ?? []);
  });
  render(await entries());
  document.body.dataset.ready = 'true';
}

start();
