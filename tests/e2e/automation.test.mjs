// automation.test.mjs - the pipeline automation screens as a new HR user meets them, in a real
// browser (playwright-core, /usr/bin/chromium; set-up in tests/e2e/lib.mjs): rules, their
// simulation, their firings on the report, the review queue and the export tab without a
// template, in Chinese and English, at desktop width and on a phone (390 px).
//
//   An enforced rule eliminates ai.overall < 50 (reason ai_score_below_threshold, a tag), a
//   dry-run rule would notify hr; three Backend Engineer (ENG-BE-01, review required)
//   candidates get a score of 40 and wait in the review queue. hr1
//   1. opens the rules: a hint says to pick one; the rule's actions, triggers and scope are in
//      words; the simulation counts by action in words ("淘汰"), shows the fairness estimate
//      (gender) and the sample with the values seen; an edited condition marks it stale; a
//      broken one disables "simulate" and its error does not repeat "line 1, column" in English;
//      a new rule made in the dialog (live check, the server's 422 on an empty tag shown, an
//      action moved up): a dry run for AI results over every position by default; its settings
//      then enforce it for one position with priority 20 (PATCH with the version);
//   2. opens a report: the firing's trigger and actions in words ("AI 结果到达时",
//      "淘汰（原因：AI 评分低于要求）（已执行 → 淘汰待复核）", the dry run "试运行，未执行"); the
//      timeline says the reason in words;
//   3. the review queue: the reason in words, "规则: <name>", the age "0 小时"; "确认淘汰" asks
//      first: cancel sends nothing, confirm moves it (checked through the API); the two others
//      ticked and confirmed in bulk after the dialog (both pending export through the API);
//   4. the export tab with no template says so and leads to the templates tab;
//   5. the talent pool: empty with a hint; "加入人才库" on a report keeps the candidate with two
//      tags (the request checked); searched by both tags, by a dimension none reaches (said
//      so), ranked for a position (the match column); "移出人才库" asks first, then the API has
//      only the first left;
//   6. webhooks (admin): the empty subscription and delivery lists say what comes there;
//      replaying a time window asks first (cancel sends nothing), then sends it;
//   7. on a phone in English: the page is not wider than the screen (the header wraps), the
//      menu and "Log out" are reachable, the queue's reason reads in English; the report's
//      candidate block has one label and value per row; the export template editor puts the
//      chosen fields under the catalogue.
//
// Screenshots go to test-output/e2e/automation-*.png.
//
//   TALENTD_BIN=build-test/talentd TALENTD_TEST_DB=sqlite node --test tests/e2e/automation.test.mjs

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { PASSWORD, seed, uniq } from '../api/lib/harness.mjs';
import { STEP_MS, openBrowser, requirePlaywright, screenshot, startUiServer, uiLogin } from './lib.mjs';

let srv;
let s;
let hr;
let playwright;
let browser;
let page;
const RULE = `low score out ${uniq()}`;
const DRY = `weak communication ${uniq()}`;
const apps = []; // three ENG-BE-01 applications the rule eliminated
const names = [];

const shot = (name) => screenshot(page, `automation-${name}`);

async function stage(id) {
  const r = await hr.get(`/api/v1/applications/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.body.stage;
}

/** Types tags into a tag picker (a select that creates what is typed), as a person does: each and Enter. */
async function typeTags(select, tags) {
  await select.click();
  for (const tg of tags) {
    await page.keyboard.type(tg);
    await page.locator('.el-select-dropdown__item:visible', { hasText: tg }).first().waitFor();
    await page.keyboard.press('Enter');
    await select.locator('.el-tag', { hasText: tg }).waitFor();
  }
}

before(async () => {
  playwright = requirePlaywright();
  srv = await startUiServer();
  s = await seed(srv, { tokens: false });
  hr = s.clients.hr1;
  let r = await hr.post('/api/v1/rules', {
    name: RULE,
    when: 'ai.overall < 50',
    actions: [{ type: 'eliminate', reason: 'ai_score_below_threshold' }, { type: 'tag', tag: '低分' }],
    priority: 10,
  });
  assert.equal(r.status, 201, r.text);
  r = await hr.post('/api/v1/rules', { name: DRY, when: 'ai.dim.communication < 60', actions: [{ type: 'notify', role: 'hr' }], mode: 'dry_run' });
  assert.equal(r.status, 201, r.text);
  r = await s.clients.admin.req('PUT', '/api/v1/fairness/config', { body: { attributes: [{ attr: 'gender', label_zh: '性别', label_en: 'Gender' }] } });
  assert.equal(r.status, 200, r.text);
  for (let i = 0; i < 3; i++) {
    const name = `复核候选人${i + 1} ${uniq()}`;
    const c = await hr.post('/api/v1/candidates', { name, email: `auto.${i}.${uniq()}@example.com` });
    assert.equal(c.status, 201, c.text);
    r = await hr.req('PUT', `/api/v1/candidates/${c.body.id}/attributes`, { body: { gender: i ? '男' : '女' } });
    assert.equal(r.status, 200, r.text);
    const a = await hr.post('/api/v1/applications', { candidate_id: c.body.id, position: 'ENG-BE-01' });
    assert.equal(a.status, 201, a.text);
    const res = await hr.post('/api/v1/results', {
      vendor: 'native',
      vendor_result_id: `AUTO-E2E-${uniq()}`,
      completed_at: '2026-11-20T09:30:00Z',
      candidate: { application_id: a.body.id },
      overall: 40,
      dimensions: [
        { key: 'logic', score: 40, evidence: '…' },
        { key: 'communication', score: 45, evidence: '…' },
      ],
      transcript: [{ start_ms: 0, end_ms: 4000, speaker: 'candidate', text: '我做过后端开发。' }],
    });
    assert.equal(res.status, 201, res.text);
    apps.push(a.body.id);
    names.push(name);
    assert.equal(await stage(a.body.id), 'eliminated_pending_review', 'the rule eliminated it; the position asks for review');
  }
  browser = await openBrowser(playwright);
  page = browser.page;
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

describe('pipeline automation screens', () => {
  test('rules: what a rule does in words; the simulation with the fairness estimate and the sample', { timeout: STEP_MS * 2 }, async () => {
    await uiLogin(page, srv.url, 'hr1', PASSWORD);
    await page.goto(`${srv.url}/rules`);
    await page.getByTestId('rules-pick-hint').waitFor();
    await page.locator('[data-testid=rules-table] .el-table__row', { hasText: RULE }).click();
    const details = page.getByTestId('rule-details');
    await details.getByText('淘汰（原因：AI 评分低于要求）；打标签“低分”').waitFor();
    await details.getByText('AI 结果到达时').waitFor();
    await details.getByText('全部岗位').waitFor();
    const simulated = page.waitForResponse((x) => x.url().endsWith('/simulate'));
    await page.getByRole('button', { name: '模拟运行' }).click();
    assert.equal((await simulated).status(), 200);
    const editor = page.getByTestId('rule-editor');
    await editor.getByTestId('sim-actions').getByText('淘汰', { exact: true }).waitFor();
    assert.equal(await editor.getByTestId('sim-actions').getByText('eliminate').count(), 0, 'no action code shown');
    await editor.locator('.td-groups').getByText('性别').first().waitFor();
    const sample = editor.getByTestId('sim-sample');
    // each sampled application by its candidate's name, linking to its report, with its position
    for (const [i, id] of apps.entries()) {
      const link = sample.getByRole('link', { name: names[i], exact: true });
      await link.waitFor();
      assert.equal(await link.getAttribute('href'), `/applications/${id}`);
    }
    await sample.getByText('ENG-BE-01 Backend Engineer').first().waitFor();
    await sample.getByText('ai.overall = 40').first().waitFor();
    await shot('01-rule-simulation');

    const when = page.getByLabel('规则条件表达式');
    await when.fill('ai.overall < 45');
    await editor.getByTestId('sim-stale').waitFor();
    await when.fill('ai.overall < 50 &&');
    const problem = page.getByTestId('rule-problem');
    await problem.filter({ hasText: /第 1 行第 \d+ 列/ }).waitFor();
    assert.doesNotMatch(await problem.innerText(), /line 1, column/, 'the position is said once');
    assert.ok(await page.getByRole('button', { name: '模拟运行' }).isDisabled(), 'no simulation of a broken condition');
    await shot('02-rule-broken');
  });

  test('rules: a new rule made in the dialog (a dry run by default), then enforced from its settings', { timeout: STEP_MS * 2 }, async () => {
    const name = `沟通差提醒 ${uniq()}`;
    await page.goto(`${srv.url}/rules`);
    await page.getByTestId('rule-new').click();
    const dialog = page.getByTestId('rule-dialog');
    await page.getByTestId('re-name').fill(name);
    await page.getByTestId('re-when').fill('ai.dim.communication <');
    await dialog.getByText(/第 1 行第 \d+ 列/).waitFor(); // the live check, in the dialog
    await page.getByTestId('re-when').fill('ai.dim.communication < 50');
    await page.getByTestId('re-ok').waitFor();
    await page.getByTestId('re-add-action').click(); // a tag action, left empty: the server says so
    let saved = page.waitForResponse((x) => x.url().endsWith('/api/v1/rules') && x.request().method() === 'POST');
    await page.getByTestId('re-save').click();
    assert.equal((await saved).status(), 422);
    await page.getByTestId('re-problem').getByText(/actions\[1\]\.tag/).waitFor();
    await page.getByTestId('re-action-1').getByPlaceholder('标签').fill('沟通差');
    await page.getByTestId('re-action-1').getByRole('button', { name: '第 2 个动作上移' }).click();
    saved = page.waitForResponse((x) => x.url().endsWith('/api/v1/rules') && x.request().method() === 'POST');
    await page.getByTestId('re-save').click();
    const res = await saved;
    assert.equal(res.status(), 201);
    const body = JSON.parse(res.request().postData());
    assert.deepEqual(body.actions, [{ type: 'tag', tag: '沟通差' }, { type: 'eliminate', reason: 'ai_score_below_threshold' }]);
    assert.equal(body.mode, 'dry_run', 'a new rule starts as a dry run');
    assert.deepEqual(body.triggers, ['result']);
    assert.deepEqual(body.scope, { kind: 'all' });
    await page.locator('[data-testid=rules-table] .el-table__row', { hasText: name }).getByText('试运行').waitFor();
    await page.getByTestId('rule-details').getByText('打标签“沟通差”；淘汰（原因：AI 评分低于要求）').waitFor();
    await shot('01b-rule-created');

    // its settings: enforce it, only for ENG-BE-01, with priority 20 (PATCH with the version)
    await page.getByTestId('rule-settings').click();
    await dialog.getByText('生效', { exact: true }).click();
    await dialog.locator('.w-kind').click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: '某个岗位' }).click();
    await dialog.locator('.w-code').click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: 'ENG-BE-01' }).click();
    await page.locator('#re-priority').fill('20');
    saved = page.waitForResponse((x) => /\/api\/v1\/rules\/\d+$/.test(x.url()) && x.request().method() === 'PATCH');
    await page.getByTestId('re-save').click();
    const patched = await saved;
    assert.equal(patched.status(), 200);
    const p = JSON.parse(patched.request().postData());
    assert.equal(p.version, 1);
    assert.equal(p.mode, 'enforce');
    assert.deepEqual(p.scope, { kind: 'position', code: 'ENG-BE-01' });
    assert.equal(p.priority, 20);
    await page.getByTestId('rule-details').getByText('岗位 ENG-BE-01').waitFor();
    await page.getByTestId('rule-details').getByText(/生效 · 优先级 20/).waitFor();
    // off again, through the API, so the eliminations below stay as they are
    const r = (await hr.get('/api/v1/rules?limit=200')).body.items.find((x) => x.name === name);
    assert.equal((await hr.patch(`/api/v1/rules/${r.id}`, { enabled: false, version: r.version })).status, 200);
  });

  test("a report: the firing's trigger and actions in words, the timeline's reason too", { timeout: STEP_MS }, async () => {
    await page.goto(`${srv.url}/applications/${apps[0]}`);
    const firings = page.getByTestId('firings');
    await firings.getByText(RULE).waitFor();
    await firings.getByText(/AI 结果到达时/).first().waitFor();
    await firings.getByText('淘汰（原因：AI 评分低于要求）（已执行 → 淘汰待复核）', { exact: false }).waitFor();
    await firings.getByText(/通知招聘专员（试运行，未执行）/).waitFor();
    await page.getByTestId('timeline').getByText(/AI 评分低于要求/).waitFor();
    assert.equal(await page.getByTestId('timeline').getByText('ai_score_below_threshold').count(), 0);
    await shot('03-report-firings');
  });

  test('the review queue: reasons in words, age in hours; confirming asks first, one or in bulk', { timeout: STEP_MS * 2 }, async () => {
    await page.goto(`${srv.url}/reviews`);
    const table = page.getByTestId('reviews-table');
    const row = table.locator('.el-table__row', { hasText: names[0] });
    await row.getByText('AI 评分低于要求').waitFor();
    await row.getByText(`规则: ${RULE}`).waitFor();
    await row.getByTestId(`review-age-${apps[0]}`).getByText('0 小时').waitFor();
    await shot('04-review-queue');

    let sent = 0;
    const count = (req) => {
      if (req.method() === 'POST' && req.url().includes('/api/v1/reviews/')) sent++;
    };
    page.on('request', count);
    const dialog = page.getByTestId('review-confirm-dialog');
    await row.getByRole('button', { name: '确认淘汰' }).click();
    await dialog.getByText(names[0]).waitFor();
    await dialog.getByRole('button', { name: '取消' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(sent, 0, 'cancel sends nothing');
    assert.equal(await stage(apps[0]), 'eliminated_pending_review');

    const answered = page.waitForResponse((x) => x.url().endsWith(`/api/v1/reviews/${apps[0]}/confirm`));
    await row.getByRole('button', { name: '确认淘汰' }).click();
    await dialog.getByTestId('review-confirm-ok').click();
    assert.equal((await answered).status(), 200);
    await row.waitFor({ state: 'detached' });
    assert.equal(await stage(apps[0]), 'eliminated_pending_export');

    for (const n of names.slice(1)) await table.locator('.el-table__row', { hasText: n }).locator('.el-checkbox').click();
    await page.getByTestId('reviews-bulk-confirm').filter({ hasText: '确认所选淘汰（2）' }).click();
    await dialog.getByText('确认淘汰所选的 2 个申请').waitFor();
    const bulk = page.waitForResponse((x) => x.url().endsWith('/api/v1/reviews/confirm'));
    await dialog.getByTestId('review-confirm-ok').click();
    const res = await bulk;
    assert.equal(res.status(), 200);
    assert.deepEqual(JSON.parse(res.request().postData()).application_ids.sort(), apps.slice(1).sort());
    for (const n of names.slice(1)) await table.locator('.el-table__row', { hasText: n }).waitFor({ state: 'detached' });
    for (const id of apps.slice(1)) assert.equal(await stage(id), 'eliminated_pending_export');
    page.off('request', count);
    await shot('05-review-queue-confirmed');
  });

  test('the export tab without a template says so and leads to the templates', { timeout: STEP_MS }, async () => {
    await page.goto(`${srv.url}/exports`);
    const hint = page.getByTestId('no-templates');
    await hint.getByText('还没有导出模板').waitFor();
    await hint.getByTestId('to-templates').click();
    await page.getByTestId('template-new').waitFor();
    await page.waitForURL(/tab=templates/);
  });

  test('the talent pool: empty at first; kept from the report with tags; searched by tag and dimension; ranked; taken out after a confirmation', { timeout: STEP_MS * 2 }, async () => {
    await page.goto(`${srv.url}/talent-pool`);
    const table = page.getByTestId('pool-table');
    await table.getByText('人才库还是空的').waitFor();
    // kept from the report, with two tags
    await page.goto(`${srv.url}/applications/${apps[0]}`);
    await page.getByTestId('pool-add').click();
    const dialog = page.getByTestId('pool-add-dialog');
    await typeTags(dialog.getByTestId('pool-tags'), ['后端', '待回访']);
    await dialog.getByText(/保留在人才库中/).click(); // closes the tag picker's list
    const kept = page.waitForResponse((x) => x.url().endsWith('/api/v1/talent-pool') && x.request().method() === 'POST');
    await dialog.getByTestId('pool-add-ok').click();
    const res = await kept;
    assert.equal(res.status(), 201);
    assert.deepEqual(JSON.parse(res.request().postData()), { application_id: apps[0], tags: ['后端', '待回访'] });
    await page.getByTestId('report-pool').getByText('在人才库中').waitFor();
    const other = await hr.post('/api/v1/talent-pool', { application_id: apps[1], tags: ['后端'] });
    assert.equal(other.status, 201, other.text);

    await page.getByTestId('nav-talent-pool').click();
    await table.getByText(names[0]).waitFor();
    await table.getByText(names[1]).waitFor();
    // both tags: only the first
    await typeTags(page.getByTestId('tp-tags'), ['后端', '待回访']);
    await page.getByRole('heading', { name: '人才库' }).click(); // closes the tag picker's list
    let searched = page.waitForResponse((x) => x.url().includes('/api/v1/talent-pool?'));
    await page.getByTestId('tp-search').click();
    assert.match(decodeURIComponent((await searched).url()), /tag=后端,待回访/);
    await table.getByText(names[1]).waitFor({ state: 'detached' });
    await table.getByText(names[0]).waitFor();
    await table.getByText('逻辑思维 40').waitFor();
    // a dimension none reaches: nothing, said so
    await page.getByRole('button', { name: '重置' }).click();
    await table.getByText(names[1]).waitFor();
    await page.locator('#tp-dim').click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: '逻辑思维' }).click();
    await page.getByTestId('tp-dim-min').locator('input').fill('90');
    searched = page.waitForResponse((x) => x.url().includes('/api/v1/talent-pool?'));
    await page.getByTestId('tp-search').click();
    assert.match((await searched).url(), /dim\.logic_gte=90/);
    await table.getByText('没有符合条件的候选人').waitFor();
    // ranked for a position: the match column
    await page.getByRole('button', { name: '重置' }).click();
    await page.locator('#tp-for').click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: 'ENG-BE-01' }).click();
    await page.getByTestId('tp-search').click();
    await table.getByText('与 ENG-BE-01 的匹配度').waitFor();
    await shot('08-talent-pool');
    // out of the pool, after the dialog
    await page.getByTestId(`pool-remove-${apps[1]}`).click();
    const rm = page.getByTestId('pool-remove-dialog');
    await rm.getByText(names[1]).waitFor();
    const removed = page.waitForResponse((x) => x.url().endsWith(`/api/v1/talent-pool/${apps[1]}`));
    await rm.getByTestId('pool-remove-ok').click();
    assert.equal((await removed).status(), 200);
    await table.getByText(names[1]).waitFor({ state: 'detached' });
    const left = await hr.get('/api/v1/talent-pool');
    assert.deepEqual(left.body.items.map((i) => i.application_id), [apps[0]]);
  });

  test('webhooks: the empty lists say what comes there; replaying a time window asks first', { timeout: STEP_MS * 2 }, async () => {
    const admin = s.clients.admin;
    await page.getByRole('button', { name: /^(退出登录|Log out)$/ }).click();
    await uiLogin(page, srv.url, 'admin', srv.adminPassword);
    await page.goto(`${srv.url}/webhooks`);
    await page.getByTestId('webhooks-table').getByText('还没有订阅').waitFor();
    const w = await admin.post('/api/v1/webhooks', { name: `回放 ${uniq()}`, url: 'http://127.0.0.1:9/hook', events: ['*'], enabled: false });
    assert.equal(w.status, 201, w.text);
    await page.reload();
    await page.getByTestId(`webhook-deliveries-${w.body.id}`).click();
    const drawer = page.getByTestId('deliveries');
    await drawer.getByText('还没有推送记录').waitFor();
    let sent = 0;
    const count = (req) => {
      if (req.method() === 'POST' && req.url().endsWith(`/api/v1/webhooks/${w.body.id}/replay`)) sent++;
    };
    page.on('request', count);
    await page.locator('#wr-since').fill('2026-01-01T00:00');
    await drawer.getByTestId('replay-window').click();
    const dialog = page.getByTestId('replay-window-dialog');
    await dialog.getByText(/将再次收到/).waitFor();
    await shot('07-webhook-replay-confirm');
    await dialog.getByRole('button', { name: '取消' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(sent, 0, 'cancel sends nothing');
    const replayed = page.waitForResponse((x) => x.url().endsWith(`/api/v1/webhooks/${w.body.id}/replay`));
    await drawer.getByTestId('replay-window').click();
    await dialog.getByTestId('replay-window-ok').click();
    assert.equal((await replayed).status(), 200);
    assert.equal(sent, 1);
    page.off('request', count);
  });

  test('on a phone, in English: the header wraps within the screen; the queue in English', { timeout: STEP_MS * 2 }, async () => {
    const phone = await openBrowser(playwright, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    try {
      const p = phone.page;
      await p.goto(`${srv.url}/login`);
      await p.evaluate(() => localStorage.setItem('talentd.lang', 'en'));
      await uiLogin(p, srv.url, 'hr1', PASSWORD);
      // a new elimination to show: the queue was emptied above
      const c = await hr.post('/api/v1/candidates', { name: `Phone Candidate ${uniq()}`, email: `phone.${uniq()}@example.com` });
      const a = await hr.post('/api/v1/applications', { candidate_id: c.body.id, position: 'ENG-BE-01' });
      const t = await hr.post(`/api/v1/applications/${a.body.id}/transitions`, { to: 'eliminated_pending_review', reason: 'skills_mismatch' });
      assert.equal(t.status, 200, t.text);
      await p.goto(`${srv.url}/reviews`);
      await p.getByTestId('reviews-table').getByText('Skills mismatch').waitFor();
      const width = await p.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 390, `the page is ${width} px wide on a 390 px screen`);
      for (const el of [p.getByTestId('main-menu'), p.getByRole('button', { name: 'Log out' })]) {
        const box = await el.boundingBox();
        assert.ok(box && box.x >= 0 && box.x + Math.min(box.width, 390) <= 390 + 1, `within the screen: ${JSON.stringify(box)}`);
      }
      await screenshot(p, 'automation-06-phone-review-queue');

      // the report's candidate block: one column (label, value) per row, nothing clipped
      await p.goto(`${srv.url}/applications/${apps[0]}`);
      const block = p.locator('.el-descriptions').first();
      await block.getByText(names[0]).first().waitFor();
      assert.equal(await block.locator('tr').first().locator('th, td').count(), 2, 'one label and one value per row');
      assert.ok((await p.evaluate(() => document.documentElement.scrollWidth)) <= 390);

      // the template editor: the chosen fields under the catalogue, not beside it
      const tp = await hr.post('/api/v1/export-templates', { name: `手机模板 ${uniq()}`, format: 'csv', lang: 'zh', fields: ['candidate.name', 'application.elimination_reason'] });
      assert.equal(tp.status, 201, tp.text);
      await p.goto(`${srv.url}/exports?tab=templates`);
      await p.getByTestId(`template-edit-${tp.body.id}`).click();
      const panes = p.getByTestId('template-editor').locator('.pane');
      await panes.nth(1).getByText('application.elimination_reason').waitFor();
      const [catalogue, chosen] = [await panes.nth(0).boundingBox(), await panes.nth(1).boundingBox()];
      assert.ok(chosen.y >= catalogue.y + catalogue.height - 1, `the chosen fields (${JSON.stringify(chosen)}) are below the catalogue (${JSON.stringify(catalogue)})`);
      assert.ok(chosen.width > 300, `the chosen fields take the dialog width: ${chosen.width}`);
      await screenshot(p, 'automation-09-phone-template-editor');
    } finally {
      await phone.close();
    }
  });
});
