// org.test.mjs - the org and position screens, question sets and the report's annotation and
// score-revision forms in a real browser (issue 6): playwright-core driving Debian's
// /usr/bin/chromium against a talentd that serves the built UI (web/dist); the set-up is
// tests/e2e/lib.mjs, shared with the other browser tests.
//
//   hr1 creates an org unit under HQ and a position in it with a competency model (a weight of 0
//   is refused by the server, 422 on competency_model[1].weight, and the message is shown under
//   that weight), sees the unit in the tree with its headcount and vacancies; creates a question
//   set (a time limit of 5 s is refused on that question's field first); on a report adds an
//   annotation and revises a score (no reason: refused; a score of 150: the server's 422 on the
//   score; then a valid one, shown in the revision history); assigns int2 from the staff directory
//   and takes them off again. The interviewer int1 gets the
//   highlights-only report of the assigned application, adds an annotation, is not offered the
//   org page, and the server refuses a position created from the page's own session (403). The
//   manager mgr_eng reads their subtree without the buttons that write, and the organisation's
//   time zone without its picker; the admin sets a zone the server refuses (its 422 shown under
//   the field, nothing changed), then UTC.
//
// Screenshots go to test-output/e2e/org-*.png. Needs the UI built (make web, or
// `npm --prefix web run build`) and chromium (scripts/bootstrap installs both).
//
//   TALENTD_BIN=build-test/talentd TALENTD_TEST_DB=sqlite node --test tests/e2e/org.test.mjs

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { PASSWORD, seed, uniq } from '../api/lib/harness.mjs';
import { STEP_MS, openBrowser, requirePlaywright, screenshot, startUiServer, uiLogin } from './lib.mjs';

let srv;
let s;
let hr;
let browser;
let page;
let app; // application sales_a: has a result, assigned to int1

const shot = (name) => screenshot(page, `org-${name}`);
const isPost = (suffix) => (r) => r.url().endsWith(`/api/v1${suffix}`) && r.request().method() === 'POST';

/** The text of the error Element Plus shows under the form item holding the field `path`. */
const fieldError = (path) => page.locator(`[data-field="${path}"] .el-form-item__error`);

async function logout() {
  await page.getByRole('button', { name: /^(退出登录|Log out)$/ }).click();
  await page.waitForURL(/\/login/);
}

before(async () => {
  const playwright = requirePlaywright();
  srv = await startUiServer();
  s = await seed(srv, { tokens: false });
  hr = s.clients.hr1;
  app = s.app.sales_a.id;
  const r = await hr.post('/api/v1/results', {
    vendor: 'native',
    vendor_result_id: `ORG-E2E-${uniq()}`,
    completed_at: '2026-11-20T09:30:00Z',
    candidate: { application_id: app },
    overall: 80,
    dimensions: [
      { key: 'logic', score: 86, evidence: '分析清楚' },
      { key: 'communication', score: 74, evidence: '表达流畅' },
    ],
    key_moments: [{ at_ms: 4500, label: '讲清了对账系统的重构' }],
    transcript: [
      { start_ms: 0, end_ms: 4000, speaker: 'ai', text: '请介绍一个你负责过的项目。' },
      { start_ms: 4500, end_ms: 15000, speaker: 'candidate', text: '我负责过对账系统的重构。' },
    ],
  });
  assert.equal(r.status, 201, r.text);
  browser = await openBrowser(playwright);
  page = browser.page;
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

describe('org, positions, question sets, annotations and score revisions in chromium', () => {
  test('hr1 creates an org unit under HQ; it appears in the tree', { timeout: STEP_MS }, async () => {
    await uiLogin(page, srv.url, 'hr1', PASSWORD);
    await page.getByTestId('nav-org').click();
    await page.waitForURL(/\/org$/);
    await page.getByTestId('org-node-HQ').waitFor();
    // the seeded positions: three of headcount 3 under HQ
    await page.getByTestId('org-stats-HQ').filter({ hasText: '编制 9' }).waitFor();
    await shot('01-tree');

    // with the keyboard: the tree's first unit is HQ; Enter picks it
    await page.locator('[data-testid=org-tree] [role=treeitem]').first().focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('unit-new').filter({ hasText: '新建下级部门' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByTestId('unit-dialog');
    await dialog.getByLabel('部门编码').waitFor();
    // Esc closes the dialog, nothing sent; it opens again
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await page.getByTestId('unit-new').click();
    await dialog.getByLabel('部门编码').fill('OPS');
    await dialog.getByLabel('部门名称').fill('运营部');
    assert.match(await dialog.getByTestId('unit-parent').innerText(), /Headquarters \(HQ\)/, 'the picked unit is the parent');
    // the manager is picked from the staff directory's managers
    await dialog.getByTestId('unit-manager').click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: '(mgr_eng)' }).click();
    const created = page.waitForResponse(isPost('/org-units'));
    await dialog.getByTestId('unit-save').focus();
    await page.keyboard.press('Enter');
    assert.equal((await created).status(), 201);
    await page.getByTestId('org-node-OPS').waitFor();
    const units = await hr.all('/api/v1/org-units');
    assert.equal(units.find((u) => u.code === 'OPS')?.parent, 'HQ', JSON.stringify(units));
    assert.equal(units.find((u) => u.code === 'OPS')?.manager, 'mgr_eng', JSON.stringify(units));
  });

  test('a position with a competency model: the server refuses a weight of 0 on that field, then creates it', { timeout: STEP_MS }, async () => {
    // OPS is the picked unit (just created): the new position goes there
    await page.getByTestId('position-new').click();
    const dialog = page.getByTestId('position-editor');
    await dialog.waitFor();
    await dialog.getByLabel('岗位编码').fill('OPS-01');
    await dialog.getByLabel('岗位名称').fill('运营专员');
    assert.match(await dialog.getByTestId('pos-unit').innerText(), /运营部 \(OPS\)/);
    await dialog.getByLabel('编制').fill('4');
    // the model starts with communication and logic at 0.5 each
    assert.equal(await dialog.getByLabel('维度（第 1 行）').inputValue(), 'communication');
    assert.equal(await dialog.getByLabel('维度（第 2 行）').inputValue(), 'logic');
    await dialog.getByLabel('权重（第 1 行）').fill('0.7');
    await dialog.getByLabel('权重（第 2 行）').fill('0');
    await dialog.getByTestId('model-sum').filter({ hasText: '权重合计：0.7' }).waitFor();

    const refused = page.waitForResponse(isPost('/positions'));
    await dialog.getByTestId('position-save').click();
    const res = await refused;
    assert.equal(res.status(), 422);
    const body = await res.json();
    assert.equal(body.error.field, 'competency_model[1].weight', JSON.stringify(body));
    const shown = fieldError('competency_model[1].weight');
    await shown.waitFor();
    assert.match(await shown.innerText(), /数值超出允许范围/, 'the server\'s refusal, in Chinese, under that weight');
    assert.equal(await fieldError('competency_model[0].weight').count(), 0, 'only the weight named is marked');
    await shot('02-position-model-422');

    await dialog.getByLabel('权重（第 2 行）').fill('0.3');
    await dialog.getByLabel('最低分（第 1 行）').fill('65');
    await dialog.getByTestId('model-sum').filter({ hasText: '权重合计：1' }).waitFor();
    const created = page.waitForResponse(isPost('/positions'));
    await dialog.getByTestId('position-save').click();
    assert.equal((await created).status(), 201);
    await dialog.waitFor({ state: 'hidden' });

    const p = (await hr.get('/api/v1/positions?code=OPS-01')).body.items[0];
    assert.equal(p.org_unit, 'OPS');
    assert.equal(p.headcount, 4);
    assert.deepEqual(p.competency_model, [
      { dim: 'communication', weight: 0.7, min: 65 },
      { dim: 'logic', weight: 0.3, min: 60 },
    ]);
  });

  test('the tree shows the new unit with its headcount and vacancies, HQ adds it up', { timeout: STEP_MS }, async () => {
    await page.getByTestId('pos-OPS-01').waitFor();
    assert.equal(await page.getByTestId('pos-headcount-OPS-01').innerText(), '4');
    assert.equal(await page.getByTestId('pos-vacancies-OPS-01').innerText(), '4');
    const ops = await page.getByTestId('org-stats-OPS').innerText();
    assert.match(ops, /编制 4/);
    assert.match(ops, /空缺 4/);
    assert.match(await page.getByTestId('org-stats-HQ').innerText(), /编制 13/, '9 seeded + 4');
    assert.match(await page.getByTestId('pos-model-OPS-01').innerText(), /沟通能力 ×0\.7 ≥65/);
    await shot('03-tree-with-position');
  });

  test('hr1 creates a question set (a 5 s time limit refused on that question first)', { timeout: STEP_MS }, async () => {
    await page.getByTestId('nav-question-sets').click();
    await page.waitForURL(/\/question-sets$/);
    await page.getByTestId('qset-new').click();
    await page.waitForURL(/\/question-sets\/new$/);
    await page.getByLabel('题库编码').fill('OPS-AI-V1');
    await page.getByLabel('题库名称').fill('运营专员 AI 面试题');

    const q1 = page.getByTestId('qs-question-0');
    await q1.getByLabel('题目（中文）').fill('请介绍一次你推动跨部门协作的经历。');
    await q1.getByLabel('题目（英文）').fill('Tell us about a time you drove work across teams.');
    await q1.getByLabel('答题时限（秒）').fill('120');
    await page.getByTestId('qs-dims-0').click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: '(communication)' }).click();
    await page.keyboard.press('Escape');
    await page.getByTestId('qs-add-phrase-0-communication').click();
    await q1.getByLabel('沟通能力 要点（第 1 条）').fill('主动沟通');
    await q1.getByLabel('沟通能力 要点权重（第 1 条）').fill('2');
    await q1.getByLabel('参考答案').fill('我先约各方对齐目标，再每周同步进度。');

    await page.getByTestId('qs-add-question').click();
    const q2 = page.getByTestId('qs-question-1');
    await q2.getByLabel('题目（中文）').fill('你如何安排一周的工作？');
    await q2.getByLabel('答题时限（秒）').fill('5');
    await page.getByTestId('qs-dims-1').click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: '(logic)' }).click();
    await page.keyboard.press('Escape');

    const refused = page.waitForResponse(isPost('/question-sets'));
    await page.getByTestId('qs-save').click();
    const res = await refused;
    assert.equal(res.status(), 422);
    assert.equal((await res.json()).error.field, 'questions[1].time_limit_s');
    await q2.locator('.el-form-item__error').filter({ hasText: '数值超出允许范围' }).waitFor();
    await shot('04-question-set-422');

    await q2.getByLabel('答题时限（秒）').fill('90');
    const created = page.waitForResponse(isPost('/question-sets'));
    await page.getByTestId('qs-save').click();
    assert.equal((await created).status(), 201);
    await page.waitForURL(/\/question-sets\/\d+$/);
    await page.getByTestId('qset-title').filter({ hasText: '运营专员 AI 面试题' }).waitFor();
    await page.getByTestId('qset-questions').getByText('主动沟通 ×2').waitFor();
    await shot('05-question-set');

    const list = (await hr.get('/api/v1/question-sets?code=OPS-AI-V1')).body.items;
    assert.equal(list.length, 1);
    const set = (await hr.get(`/api/v1/question-sets/${list[0].id}`)).body;
    assert.equal(set.shared, true);
    assert.equal(set.questions.length, 2);
    assert.equal(set.questions[0].text_en, 'Tell us about a time you drove work across teams.');
    assert.equal(set.questions[0].time_limit_s, 120);
    assert.deepEqual(set.questions[0].dims, ['communication']);
    assert.deepEqual(set.questions[0].rubric.phrases.communication, [{ text: '主动沟通', weight: 2 }]);
    assert.deepEqual(set.questions[1].dims, ['logic']);
    assert.equal(set.questions[1].time_limit_s, 90);
  });

  test('on a report hr1 adds an annotation and revises a score with a reason; the history shows it', { timeout: STEP_MS }, async () => {
    await page.goto(`${srv.url}/applications/${app}`);
    const notes = page.getByTestId('annotations');
    await notes.waitFor();
    await notes.getByLabel('批注内容').fill('沟通顺畅，建议复试');
    const annotated = page.waitForResponse(isPost(`/applications/${app}/annotations`));
    await notes.getByRole('button', { name: '添加批注' }).click();
    assert.equal((await annotated).status(), 201);
    await notes.getByText('沟通顺畅，建议复试').waitFor();

    const form = page.getByTestId('revision-form');
    await page.locator('#rev-dim').click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: '逻辑思维' }).click();
    await form.getByLabel('新分数（0–100）').fill('150');
    // no reason: said before anything is sent
    await form.getByRole('button', { name: '提交修订' }).click();
    await form.locator('.el-form-item__error', { hasText: '请填写修订原因' }).waitFor();
    // a reason, but a score the server refuses: its 422 on the score
    await form.getByLabel('修订原因').fill('复核录像后认为逻辑表达更好');
    const refused = page.waitForResponse(isPost(`/applications/${app}/score-revisions`));
    await form.getByRole('button', { name: '提交修订' }).click();
    const bad = await refused;
    assert.equal(bad.status(), 422);
    assert.equal((await bad.json()).error.field, 'score');
    await form.locator('.el-form-item__error', { hasText: '数值超出允许范围' }).waitFor();

    await form.getByLabel('新分数（0–100）').fill('75');
    const revised = page.waitForResponse(isPost(`/applications/${app}/score-revisions`));
    await form.getByRole('button', { name: '提交修订' }).click();
    assert.equal((await revised).status(), 201);
    const history = page.getByTestId('revision-history');
    await history.getByText('逻辑思维：86 → 75').waitFor();
    await history.getByText('复核录像后认为逻辑表达更好').waitFor();
    await shot('06-report-annotation-revision');

    const revs = (await hr.get(`/api/v1/applications/${app}/score-revisions`)).body.items;
    assert.equal(revs.length, 1);
    assert.equal(revs[0].dim, 'logic');
    assert.equal(revs[0].old, 86);
    assert.equal(revs[0].new, 75);
    assert.equal(revs[0].reason, '复核录像后认为逻辑表达更好');
    const rep = (await hr.get(`/api/v1/applications/${app}/report`)).body;
    assert.equal(rep.result.dimensions.find((d) => d.key === 'logic').score, 75);
    assert.ok(rep.annotations.some((a) => a.body === '沟通顺畅，建议复试' && a.user === 'hr1'));
  });

  test('on the report hr1 assigns an interviewer from the staff directory and takes them off again', { timeout: STEP_MS }, async () => {
    await page.goto(`${srv.url}/applications/${app}`);
    const card = page.getByTestId('assignees');
    await card.getByTestId('assignee-int1').waitFor(); // assigned by the seed
    await card.getByTestId('assignee-pick').click();
    const option = page.locator('.el-select-dropdown__item:visible', { hasText: '(int2)' });
    await option.waitFor();
    assert.equal(await page.locator('.el-select-dropdown__item:visible', { hasText: '(int1)' }).count(), 0, 'the assigned one is not offered');
    await option.click();
    const assigned = page.waitForResponse(isPost(`/applications/${app}/assignees`));
    await card.getByTestId('assignee-add').click();
    assert.equal((await assigned).status(), 200);
    await card.getByTestId('assignee-int2').waitFor();
    assert.deepEqual((await hr.get(`/api/v1/applications/${app}`)).body.assignees, ['int1', 'int2']);
    await shot('06b-report-assignees');

    const removed = page.waitForResponse((r) => r.url().endsWith(`/api/v1/applications/${app}/assignees/int2`) && r.request().method() === 'DELETE');
    await card.getByTestId('assignee-int2').locator('.el-tag__close').click();
    assert.equal((await removed).status(), 200);
    await card.getByTestId('assignee-int2').waitFor({ state: 'detached' });
    assert.deepEqual((await hr.get(`/api/v1/applications/${app}`)).body.assignees, ['int1']);
  });

  test('the interviewer: highlights and annotations on the assigned application; creating a position is refused by the server', { timeout: STEP_MS }, async () => {
    await logout();
    await uiLogin(page, srv.url, 'int1', PASSWORD);
    assert.equal(await page.getByTestId('nav-org').count(), 0, 'no org page in the menu');
    await page.getByTestId('nav-question-sets').waitFor();

    await page.goto(`${srv.url}/applications/${app}`);
    await page.getByTestId('interviewer-view').waitFor();
    await page.getByTestId('match').getByText('推荐理由').waitFor();
    await page.getByTestId('key-moments').getByText('讲清了对账系统的重构').waitFor();
    for (const id of ['transcript', 'timeline', 'firings', 'revision-form']) {
      assert.equal(await page.getByTestId(id).count(), 0, `no ${id} in the interviewer's view`);
    }
    const notes = page.getByTestId('annotations');
    await notes.getByText('沟通顺畅，建议复试').waitFor(); // hr1's note
    await notes.getByLabel('批注内容').fill('面试官：项目经历真实，建议复试');
    const annotated = page.waitForResponse(isPost(`/applications/${app}/annotations`));
    await notes.getByRole('button', { name: '添加批注' }).click();
    assert.equal((await annotated).status(), 201);
    await notes.getByText('面试官：项目经历真实，建议复试').waitFor();
    await shot('07-interviewer-report');
    const anns = (await hr.get(`/api/v1/applications/${app}/annotations`)).body.items;
    assert.ok(anns.some((a) => a.user === 'int1' && a.role === 'interviewer'), JSON.stringify(anns));

    // question sets: read only
    await page.getByTestId('nav-question-sets').click();
    await page.getByTestId('qset-OPS-AI-V1').waitFor();
    assert.equal(await page.getByTestId('qset-new').count(), 0);

    // the org page is not offered; the server refuses a position from the page's own session
    await page.goto(`${srv.url}/org`);
    await page.waitForURL(/\/forbidden$/);
    await page.getByText('你的角色无权访问此页面').waitFor();
    const refused = page.waitForResponse(isPost('/positions'));
    const answer = await page.evaluate(async () => {
      const me = await (await fetch('/api/v1/me')).json();
      const r = await fetch('/api/v1/positions', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token },
        body: JSON.stringify({ code: 'INT-01', title: 'x', org_unit: 'OPS', headcount: 1 }),
      });
      return { status: r.status, body: await r.json() };
    });
    const res = await refused;
    assert.ok([403, 404].includes(res.status()), `the page saw the API answer ${res.status()}`);
    assert.equal(answer.body.error.code, 'forbidden');
    await shot('08-interviewer-forbidden');
    assert.equal((await hr.get('/api/v1/positions?code=INT-01')).body.items.length, 0, 'nothing was created');
  });

  test('the manager mgr_eng reads their subtree, without the buttons that write', { timeout: STEP_MS }, async () => {
    await logout();
    await uiLogin(page, srv.url, 'mgr_eng', PASSWORD);
    await page.getByTestId('nav-org').click();
    await page.getByTestId('org-node-ENG-BE').waitFor();
    await page.getByTestId('pos-ENG-BE-01').waitFor();
    assert.equal(await page.getByTestId('org-node-SALES').count(), 0);
    assert.equal(await page.getByTestId('pos-SALES-01').count(), 0, 'the server lists only the subtree\'s positions');
    for (const id of ['unit-new', 'position-new', 'pos-edit-ENG-01']) assert.equal(await page.getByTestId(id).count(), 0, `no ${id}`);
    await shot('09-manager-org');
  });

  test('the org time zone: the manager reads it; the admin gets the server\'s 422 on a bad zone, then sets UTC', { timeout: STEP_MS }, async () => {
    const card = page.getByTestId('org-time-zone');
    await card.getByTestId('tz-current').filter({ hasText: 'Asia/Shanghai（UTC+08:00）' }).waitFor();
    assert.equal(await card.getByTestId('tz-select').count(), 0, 'a manager does not get the picker');
    await logout();
    await uiLogin(page, srv.url, 'admin', srv.adminPassword);
    await page.getByTestId('nav-org').click();
    await card.getByTestId('tz-current').filter({ hasText: 'Asia/Shanghai' }).waitFor();
    const pickZone = async (name) => {
      await card.getByTestId('tz-select').click();
      await page.keyboard.press('ControlOrMeta+a');
      await page.keyboard.type(name);
      await page.keyboard.press('Enter');
    };
    await pickZone('Nope/Zone');
    let answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/settings') && r.request().method() === 'PATCH');
    await card.getByTestId('tz-save').click();
    assert.equal((await answer).status(), 422);
    await card.locator('.el-form-item__error').filter({ hasText: /Nope\/Zone/ }).waitFor();
    await shot('10-time-zone-refused');
    assert.equal((await s.admin.get('/api/v1/settings')).body.time_zone, 'Asia/Shanghai', 'nothing changed');
    await pickZone('UTC');
    answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/settings') && r.request().method() === 'PATCH');
    await card.getByTestId('tz-save').click();
    assert.equal((await answer).status(), 200);
    await card.getByTestId('tz-current').filter({ hasText: 'UTC（UTC+00:00）' }).waitFor();
    assert.equal((await s.admin.get('/api/v1/settings')).body.time_zone, 'UTC');
    await shot('11-time-zone-utc');
  });
});
