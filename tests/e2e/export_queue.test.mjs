// export_queue.test.mjs - the exports screen's queue of exports requested by rules, in a real
// browser (playwright-core, /usr/bin/chromium; set-up in tests/e2e/lib.mjs). A rule exports its
// eliminations with a template that does not exist: the worker's attempt is refused, and hr1 sees
// the request on the "规则导出队列" tab with its candidate, position, template, rule, state
// "重试中" and the reason in Chinese (its code, invalid_reference, translated; the server's English
// text as the title); once the template exists and the worker has run, the refresh button
// shows the queue empty. A daily schedule whose run failed (destination directory, a worker
// without an export directory) shows "上次：服务器未配置导出目录" on the templates tab, the English
// text as the title. The server runs without its background worker (--no-jobs): the test
// runs it (`talentd export run-due`).
//
// Screenshots go to test-output/e2e/export-queue-*.png.
//
//   TALENTD_BIN=build-test/talentd TALENTD_TEST_DB=sqlite node --test tests/e2e/export_queue.test.mjs

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { PASSWORD, seed, uniq } from '../api/lib/harness.mjs';
import { STEP_MS, openBrowser, requirePlaywright, screenshot, startUiServer, uiLogin } from './lib.mjs';

let srv;
let s;
let hr;
let browser;
let page;
let tmpl;
let rule;
let app;
let name;

before(async () => {
  const playwright = requirePlaywright();
  srv = await startUiServer({ serveArgs: ['--no-jobs'] });
  s = await seed(srv, { tokens: false });
  hr = s.clients.hr1;
  tmpl = `队列模板-${uniq()}`;
  // a rule names a template that exists; deleted afterwards, the rule's exports are refused
  const t = await hr.post('/api/v1/export-templates', { name: tmpl, fields: ['application.id'] });
  assert.equal(t.status, 201, t.text);
  const r = await hr.post('/api/v1/rules', {
    name: `低分导出 ${uniq()}`,
    when: 'ai.overall < 50',
    actions: [{ type: 'eliminate', reason: 'ai_score_below_threshold' }, { type: 'export', template: tmpl }],
  });
  assert.equal(r.status, 201, r.text);
  rule = r.body;
  assert.equal((await hr.del(`/api/v1/export-templates/${t.body.id}`)).status, 200);
  name = `队列候选人 ${uniq()}`;
  const c = await hr.post('/api/v1/candidates', { name, email: `xq.${uniq()}@example.com` });
  assert.equal(c.status, 201, c.text);
  const a = await hr.post('/api/v1/applications', { candidate_id: c.body.id, position: 'SALES-01' });
  assert.equal(a.status, 201, a.text);
  app = a.body.id;
  const res = await hr.post('/api/v1/results', {
    vendor: 'native',
    vendor_result_id: `XQ-E2E-${uniq()}`,
    completed_at: '2026-11-20T09:30:00Z',
    candidate: { application_id: app },
    overall: 30,
    dimensions: [
      { key: 'logic', score: 30, evidence: '…' },
      { key: 'communication', score: 30, evidence: '…' },
    ],
    transcript: [{ start_ms: 0, end_ms: 4000, speaker: 'candidate', text: '我负责过对账系统。' }],
  });
  assert.equal(res.status, 201, res.text);
  const run = await srv.cli(['export', 'run-due']);
  assert.equal(run.code, 1, 'the export is refused: the template does not exist');
  browser = await openBrowser(playwright);
  page = browser.page;
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

describe('the export queue on the exports screen', () => {
  test('hr1 sees the refused request retrying with its reason; after the fix, refresh shows it gone', { timeout: STEP_MS * 2 }, async () => {
    await uiLogin(page, srv.url, 'hr1', PASSWORD);
    await page.goto(`${srv.url}/exports?tab=queue`);
    const table = page.getByTestId('export-queue');
    const row = table.locator('tbody tr', { hasText: name });
    await row.waitFor();
    const text = await row.innerText();
    for (const want of ['SALES-01', tmpl, rule.name]) assert.ok(text.includes(want), `${want} in the row: ${text}`);
    assert.equal((await page.getByTestId(`queue-state-${app}`).innerText()).trim(), '重试中');
    const item = (await hr.get('/api/v1/export-requests')).body.items[0];
    assert.ok(item.last_error, 'the API shows the reason');
    assert.equal(item.last_error_code, 'invalid_reference');
    // the reason in the user's language, the server's English text as its title
    const why = page.getByTestId(`queue-error-${app}`);
    assert.equal((await why.innerText()).trim(), '导出模板不存在（已删除或尚未创建？）');
    assert.equal(await why.getAttribute('title'), item.last_error);
    assert.ok(!(await row.innerText()).includes(item.last_error), `the English text is only the title: ${await row.innerText()}`);
    assert.equal(await row.getByRole('link', { name }).getAttribute('href'), `/applications/${app}`);
    await screenshot(page, 'export-queue-retrying');

    const tpl = await hr.post('/api/v1/export-templates', { name: tmpl, fields: ['application.id', 'candidate.name'] });
    assert.equal(tpl.status, 201, tpl.text);
    const run = await srv.cli(['export', 'run-due', '--now', new Date(Date.now() + 120000).toISOString()]);
    assert.equal(run.code, 0, run.stderr);
    await page.getByTestId('queue-refresh').click();
    await table.getByText('队列为空').waitFor();
    assert.equal(await table.locator('tbody tr', { hasText: name }).count(), 0);
    assert.equal((await hr.get(`/api/v1/applications/${app}`)).body.stage, 'exported');
    await screenshot(page, 'export-queue-empty');
  });

  test('a failed daily schedule shows its reason in Chinese on the templates tab', { timeout: STEP_MS * 2 }, async () => {
    const tpl = await hr.post('/api/v1/export-templates', {
      name: `定时模板-${uniq()}`,
      fields: ['application.id', 'candidate.name'],
      schedule: { daily_at: '03:00', destination: 'directory' },
    });
    assert.equal(tpl.status, 201, tpl.text);
    // the worker has no export directory (no --export-dir): the run is refused with no_export_dir
    const run = await srv.cli(['export', 'run-due', '--now', new Date(Date.parse(tpl.body.schedule.next_run_at) + 60000).toISOString()]);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    const sched = (await hr.get(`/api/v1/export-templates/${tpl.body.id}`)).body.schedule;
    assert.equal(sched.last_error_code, 'no_export_dir');
    await page.goto(`${srv.url}/exports?tab=templates`);
    const why = page.getByTestId(`schedule-error-${tpl.body.id}`);
    await why.waitFor();
    assert.equal((await why.innerText()).trim(), '上次：服务器未配置导出目录');
    assert.equal(await why.getAttribute('title'), sched.last_error);
    await screenshot(page, 'export-schedule-failed');
  });
});
