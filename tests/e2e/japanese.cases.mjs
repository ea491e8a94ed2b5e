// The popup in Japanese (the browser's UI language decides): static text, results and
// failures come from _locales/ja. Run in Chromium started with --lang=ja and in Firefox ESR
// with its Japanese language pack requested (intl.locale.requested).
import { assert, openPopup, resultIn, waitFor } from './harness.mjs';
import { CONSOLE_URL, DATA_MODELS, DATABRAIN, TREASURE } from './scenarios.mjs';

const MODEL = DATA_MODELS['api.treasuredata.com'][0];

export const japaneseCases = {
  async 'the bulk page lists workflow projects in Japanese: the load, the kind column and filter, a skipped project'({ browser, fake }) {
    fake.workflowProjects('us', [
      { id: 101, name: 'us_etl', secrets: ['td.apikey'] },
      { id: 102, name: 'us_reports', secrets: [] },
      { id: 103, name: 'us_locked', secrets: ['td.apikey'], faults: { secrets: 403 } },
    ]);
    const page = await browser.open('bulk.html');
    await waitFor(page, () => document.body.dataset.ready === 'true', [], { what: 'bulk page ready' });
    await page.select('#bulk-region', 'us');
    await page.fill('#bulk-key', TREASURE.masterKey);
    await page.click('#bulk-load');
    const loaded = await resultIn(page, 'bulk-projects-result');
    assert.equal(loaded.kind, 'ok', loaded.text);
    assert.ok(loaded.text.startsWith('td.apikey を持つワークフロープロジェクト: 3 件中 1 件(US)。'), loaded.text);
    assert.ok(loaded.text.includes('1 件のプロジェクトは td.apikey を持っていません。プッシュしたユーザーの権限で実行されるため、置き換えるものはありません。'), loaded.text);
    assert.ok(loaded.text.includes('us_locked(プロジェクト 103): このキーのユーザーにはこのワークフロープロジェクトの権限がありません(403)'), loaded.text);
    const kinds = await page.eval(() => [...document.getElementById('bulk-kind').options].map((option) => option.textContent));
    assert.deepEqual(kinds, ['すべて', 'データモデルのみ', 'ワークフロープロジェクトのみ']);
    await page.select('#bulk-kind', 'workflow_project');
    const rows = await page.eval(() => [...document.querySelectorAll('#bulk-table tbody tr:not(.spacer)')].map((tr) => [tr.dataset.key, tr.cells[1].textContent, tr.cells[8].textContent]));
    assert.deepEqual(rows, [['wf:us:101', 'ワークフロープロジェクト', '準備完了: td.apikey あり']]);
    await page.close();
  },

  async 'the popup speaks Japanese: labels, success and failures'({ browser, screenshot }) {
    const page = await openPopup(browser);
    const labels = await page.eval(() => ({
      lang: document.documentElement.lang,
      key: document.querySelector('label[for=td-key]').textContent,
      button: document.getElementById('td-replace').textContent,
      region: document.getElementById('td-region').selectedOptions[0].textContent,
    }));
    assert.deepEqual(labels, { lang: 'ja', key: 'マスター API キー', button: 'キーを置き換える', region: 'US (api.treasuredata.com)' });
    await page.select('#td-region', 'tokyo');
    assert.equal(await page.eval(() => document.getElementById('td-region').selectedOptions[0].textContent), '東京 (api.treasuredata.co.jp)');

    await page.fill('#td-url', CONSOLE_URL('console.treasuredata.com', MODEL.oid));
    await page.fill('#td-key', TREASURE.expiredKey);
    await page.click('#td-replace');
    const refused = await resultIn(page, 'td-result');
    assert.equal(refused.code, 'UNAUTHORIZED');
    assert.ok(refused.text.startsWith('Treasure が API キーを拒否しました(401)'), refused.text);

    await page.fill('#td-key', TREASURE.masterKey);
    await page.click('#td-replace');
    const done = await waitFor(page, () => document.getElementById('td-result').dataset.code === 'OK' && document.getElementById('td-result').textContent);
    assert.ok(done.startsWith(`データモデル「${MODEL.name}」(elasticube)のキーを置き換えました。`), done);
    await screenshot?.(page, 'popup-ja.png');

    await page.click('#tab-databrain');
    await page.fill('#db-key', DATABRAIN.activeKey);
    await page.click('#db-rotate');
    await waitFor(page, () => !document.getElementById('new-keys').hidden);
    assert.equal(await page.eval(() => document.getElementById('new-keys-title').textContent), '新しいキーが発行されました。今すぐ保存してください');
    await screenshot?.(page, 'popup-databrain-new-key-ja.png');
    await page.click('#new-key-list li button.saved');
    await page.close();
  },
};
