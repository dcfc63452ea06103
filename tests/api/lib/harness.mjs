// harness.mjs - starts throw-away talentd servers for the black-box API tests
// and talks to them over HTTP.
//
// Environment (set by tests/run-all):
//   TALENTD_BIN          the talentd binary (default: build/talentd)
//   TALENTD_TEST_DB      sqlite (default) | postgres
//   TALENTD_TEST_PG_URL  postgresql://postgres@/postgres?host=DIR&port=PORT (postgres only)
//
// Every server gets its own data directory and, on PostgreSQL, its own
// database, so test files never see each other's rows.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, '../../..');
export const BIN = process.env.TALENTD_BIN || path.join(ROOT, 'build/talentd');
export const DB_KIND = process.env.TALENTD_TEST_DB || 'sqlite';
export const PG_URL = process.env.TALENTD_TEST_PG_URL || '';

// ---------------------------------------------------------------------------
// processes

/** Runs a program; resolves {code, stdout, stderr} (never rejects on exit status). */
export function run(cmd, args, { input, env, timeoutMs = 60000 } = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    // Decode as a stream: a multi-byte UTF-8 character split across two chunks stays whole.
    p.stdout.setEncoding('utf8');
    p.stderr.setEncoding('utf8');
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : -1), signal, stdout, stderr });
    });
    p.stdin.on('error', () => {}); // the program may exit before reading stdin
    if (input !== undefined) p.stdin.end(input);
    else p.stdin.end();
  });
}

async function psql(url, sql) {
  const r = await run('psql', [url, '-v', 'ON_ERROR_STOP=1', '-X', '-q', '-At', '-c', sql]);
  if (r.code !== 0) throw new Error(`psql failed (${r.code}): ${sql}\n${r.stderr}`);
  return r.stdout;
}

// libpq URLs such as postgresql://postgres@/postgres?host=/tmp/d&port=5 have
// an empty host, which WHATWG URL refuses: swap the path by hand.
function pgUrlFor(base, db) {
  return base.replace(/^(postgres(?:ql)?:\/\/[^/]*)\/[^?]*/, `$1/${db}`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Servers still running when this process exits (a crash, a timeout) are killed with it.
const live = new Set();
process.on('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

// ---------------------------------------------------------------------------
// HTTP

/** The Set-Cookie values of a fetch Headers (Node 18's fetch lacks getSetCookie; talentd sends one cookie). */
export function setCookies(headers) {
  if (typeof headers.getSetCookie === 'function') return headers.getSetCookie();
  const v = headers.get('set-cookie');
  return v ? [v] : [];
}

/** Parses a fetch Response into {status, headers, body (JSON or null), text}. */
async function wrap(res) {
  const text = await res.text();
  let body = null;
  try {
    body = text.length ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  return { status: res.status, headers: res.headers, body, text };
}

/**
 * One HTTP call. opts: body (JSON-encoded), raw (Buffer/string sent as is),
 * token (bearer), headers, contentType.
 */
export async function request(base, method, urlPath, opts = {}) {
  const headers = { ...(opts.headers || {}) };
  let payload;
  if (opts.raw !== undefined) {
    payload = opts.raw;
    if (!('content-type' in lower(headers))) headers['Content-Type'] = opts.contentType || 'application/json';
  } else if (opts.body !== undefined) {
    payload = JSON.stringify(opts.body);
    if (!('content-type' in lower(headers))) headers['Content-Type'] = 'application/json';
  }
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  const res = await fetch(base + urlPath, { method, headers, body: payload, redirect: 'manual' });
  return wrap(res);
}

function lower(h) {
  const o = {};
  for (const k of Object.keys(h)) o[k.toLowerCase()] = h[k];
  return o;
}

/**
 * A logged-in (or anonymous / token) caller. Cookie sessions send the CSRF
 * header on unsafe methods unless {csrf: false}.
 */
export class Client {
  constructor(base, { cookie = null, csrf = null, token = null, user = null, label = 'anonymous' } = {}) {
    this.base = base;
    this.cookie = cookie;
    this.csrf = csrf;
    this.token = token;
    this.user = user;
    this.label = label;
  }

  async req(method, urlPath, opts = {}) {
    const headers = { ...(opts.headers || {}) };
    if (this.cookie) headers.Cookie = this.cookie;
    const safe = method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
    if (this.csrf && !safe && opts.csrf !== false) headers['X-CSRF-Token'] = this.csrf;
    const r = await request(this.base, method, urlPath, { ...opts, headers, token: opts.token ?? this.token });
    // Follow cookie changes (logout clears it).
    const sc = setCookies(r.headers);
    for (const c of sc) {
      const m = /^([^=]+)=([^;]*)/.exec(c);
      if (m && this.cookie && this.cookie.startsWith(m[1] + '=')) this.cookie = m[2] ? `${m[1]}=${m[2]}` : null;
    }
    return r;
  }

  get(p, o) { return this.req('GET', p, o); }
  post(p, body, o = {}) { return this.req('POST', p, { ...o, body }); }
  patch(p, body, o = {}) { return this.req('PATCH', p, { ...o, body }); }
  del(p, o) { return this.req('DELETE', p, o); }

  /** GETs every page of a list (limit per page); returns all items. */
  async all(listPath, limit = 200) {
    const items = [];
    let cursor = null;
    for (let i = 0; i < 1000; i++) {
      const sep = listPath.includes('?') ? '&' : '?';
      const r = await this.get(`${listPath}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      if (r.status !== 200) throw new Error(`GET ${listPath} as ${this.label}: ${r.status} ${r.text}`);
      items.push(...r.body.items);
      cursor = r.body.next_cursor;
      if (!cursor) return items;
    }
    throw new Error(`GET ${listPath}: pagination did not end`);
  }
}

/** Logs in; returns a Client holding the session cookie and CSRF token. */
export async function login(base, username, password) {
  const r = await request(base, 'POST', '/api/v1/auth/login', { body: { username, password } });
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${r.text}`);
  const sc = setCookies(r.headers);
  const m = sc.map((c) => /^([^=]+=[^;]+)/.exec(c)).find(Boolean);
  if (!m) throw new Error(`login ${username}: no session cookie in ${JSON.stringify(sc)}`);
  return new Client(base, { cookie: m[1], csrf: r.body.csrf_token, user: r.body.user, label: username });
}

/**
 * Sends one request on a raw TCP socket and returns {status, headers, body
 * (JSON or null), text}, or {error} when no response came back. For requests
 * fetch cannot make: chunked or oversize bodies, odd paths, huge headers. The
 * response is read while the body is still being written, as curl does, so
 * a server that refuses a body before reading it is still heard.
 */
export function rawHttp(base, method, urlPath, { headers = {}, body = null, chunked = false, chunkSize = 65536, timeoutMs = 15000 } = {}) {
  const u = new URL(base);
  return new Promise((resolve) => {
    const sock = net.connect(Number(u.port), u.hostname);
    const chunks = [];
    let settled = false;
    let errCode = null;
    const timer = setTimeout(() => {
      errCode = errCode || 'TIMEOUT';
      sock.destroy();
      finish();
    }, timeoutMs);
    function finish() {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      const res = parseResponse(Buffer.concat(chunks));
      resolve(res || { error: errCode || 'NO_RESPONSE' });
    }
    sock.on('data', (d) => {
      chunks.push(d);
      const res = parseResponse(Buffer.concat(chunks));
      if (res && res.complete) finish();
    });
    sock.on('error', (e) => {
      errCode = e.code || String(e);
      setTimeout(finish, 50);
    });
    sock.on('close', finish);
    sock.on('connect', async () => {
      const h = { Host: u.host, Connection: 'close', ...headers };
      const buf = body == null ? null : Buffer.isBuffer(body) ? body : Buffer.from(body);
      if (chunked) h['Transfer-Encoding'] = 'chunked';
      else if (buf && !Object.keys(h).some((k) => k.toLowerCase() === 'content-length')) h['Content-Length'] = String(buf.length);
      let head = `${method} ${urlPath} HTTP/1.1\r\n`;
      for (const [k, v] of Object.entries(h)) head += `${k}: ${v}\r\n`;
      const write = (data) =>
        new Promise((ok) => {
          if (settled || sock.destroyed) return ok(false);
          if (sock.write(data)) ok(true);
          else sock.once('drain', () => ok(true));
        });
      await write(head + '\r\n');
      if (!buf) return;
      // Give an early answer (a refusal before the body is read) time to arrive,
      // and keep reading between chunks.
      await sleep(20);
      for (let off = 0; off < buf.length && !settled; off += chunkSize) {
        await new Promise((r) => setImmediate(r));
        const part = buf.subarray(off, off + chunkSize);
        if (chunked) await write(Buffer.concat([Buffer.from(part.length.toString(16) + '\r\n'), part, Buffer.from('\r\n')]));
        else await write(part);
      }
      if (chunked) await write('0\r\n\r\n');
    });
  });
}

/** Parses a raw HTTP/1.1 response; null when not even the head is there. */
function parseResponse(raw) {
  const sep = raw.indexOf('\r\n\r\n');
  if (sep < 0) return null;
  const lines = raw.subarray(0, sep).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
  if (!m) return null;
  const headers = {};
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  let bodyBuf = raw.subarray(sep + 4);
  let complete = false;
  if (headers['content-length'] !== undefined) {
    const n = Number(headers['content-length']);
    complete = bodyBuf.length >= n;
    bodyBuf = bodyBuf.subarray(0, n);
  } else if (/chunked/i.test(headers['transfer-encoding'] || '')) {
    const out = [];
    let off = 0;
    for (;;) {
      const e = bodyBuf.indexOf('\r\n', off);
      if (e < 0) break;
      const n = parseInt(bodyBuf.subarray(off, e).toString(), 16);
      if (!(n >= 0) || bodyBuf.length < e + 2 + n) break;
      if (n === 0) {
        complete = true;
        break;
      }
      out.push(bodyBuf.subarray(e + 2, e + 2 + n));
      off = e + 2 + n + 2;
    }
    bodyBuf = Buffer.concat(out);
  }
  const text = bodyBuf.toString('utf8');
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  const get = (k) => headers[k.toLowerCase()] ?? null;
  return { status: Number(m[1]), headers: { ...headers, get }, body, text, complete };
}

// ---------------------------------------------------------------------------
// servers

/**
 * Starts a fresh talentd: new data dir, new database, migrated, serving on a
 * free port. serveArgs are added to `talentd serve` (e.g. --scorer-url URL).
 * Returns {url, dataDir, dbUrl, adminPassword, stop(), halt(), cli(), login(), api()}.
 */
export async function startServer({ serveArgs = [] } = {}) {
  if (!existsSync(BIN)) throw new Error(`no talentd binary at ${BIN} (set TALENTD_BIN)`);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'talentd-api-'));
  const state = { dataDir, dbName: null, proc: null, serveArgs };
  try {
    return await startIn(state);
  } catch (e) {
    // Leave nothing behind when the server never came up.
    if (state.proc && state.proc.exitCode === null) state.proc.kill('SIGKILL');
    if (state.dbName) await psql(PG_URL, `DROP DATABASE IF EXISTS ${state.dbName} WITH (FORCE)`).catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Starts `talentd serve` with args on a free port (three tries) and waits until /healthz answers:
 * {url, proc, log()}; otherwise throws with the server's output. onSpawn sees each process started.
 */
async function spawnServe(args, what, onSpawn = () => {}) {
  let log = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const p = spawn(BIN, ['serve', ...args, '--listen', `127.0.0.1:${port}`, '--quiet'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    onSpawn(p);
    live.add(p);
    p.on('exit', () => live.delete(p));
    p.stdout.on('data', (d) => (log += d));
    p.stderr.on('data', (d) => (log += d));
    let exited = false;
    p.on('exit', () => (exited = true));
    const base = `http://127.0.0.1:${port}`;
    const t0 = Date.now();
    while (Date.now() - t0 < 15000 && !exited) {
      try {
        const r = await fetch(base + '/healthz');
        await r.text();
        if (r.status === 200) return { url: base, proc: p, log: () => log };
      } catch {
        /* not up yet */
      }
      await sleep(50);
    }
    p.kill('SIGKILL');
    if (!exited) await new Promise((r) => p.once('exit', r));
  }
  throw new Error(`talentd serve did not ${what} within 15 s:\n${log}`);
}

async function startIn(state) {
  const { dataDir } = state;
  let dbUrl = null;
  let dbName = null;
  if (DB_KIND === 'postgres') {
    if (!PG_URL) throw new Error('TALENTD_TEST_DB=postgres needs TALENTD_TEST_PG_URL');
    dbName = 't_' + randomBytes(6).toString('hex');
    await psql(PG_URL, `CREATE DATABASE ${dbName}`);
    state.dbName = dbName;
    dbUrl = pgUrlFor(PG_URL, dbName);
  } else if (DB_KIND !== 'sqlite') {
    throw new Error(`unknown TALENTD_TEST_DB=${DB_KIND}`);
  }
  const dbArgs = () => ['--data', dataDir, ...(dbUrl ? ['--db', dbUrl] : [])];

  const cli = (args, { input } = {}) => run(BIN, [...args, ...dbArgs()], { input });

  const mig = await cli(['migrate']);
  if (mig.code !== 0) throw new Error(`talentd migrate failed (${mig.code}):\n${mig.stdout}\n${mig.stderr}`);
  const admin = readFileSync(path.join(dataDir, 'initial-admin.txt'), 'utf8');
  const adminPassword = /^password: (.+)$/m.exec(admin)?.[1];
  if (!adminPassword) throw new Error(`no password in initial-admin.txt: ${admin}`);

  const started = await spawnServe([...dbArgs(), ...state.serveArgs], 'become healthy', (p) => (state.proc = p));
  return serverObject({ dataDir, dbUrl, dbName, adminPassword, cli, serveArgs: state.serveArgs }, started);
}

/**
 * The server object of startServer and restartServer: base (data dir, database, cli, ...) with the
 * running process started (spawnServe's) and what talks to it.
 */
function serverObject(base, started) {
  const { url, proc } = started;
  const server = {
    ...base,
    url,
    stopping: false,
    get log() {
      return started.log();
    },
    login: (u, pw) => login(url, u, pw),
    api: (method, pth, opts) => request(url, method, pth, opts),
    anon: () => new Client(url, { label: 'anonymous' }),
    bearer: (token, label = 'token') => new Client(url, { token, label }),
    alive: () => proc.exitCode === null && proc.signalCode === null,
    /** Sends the server process a signal (e.g. SIGSTOP/SIGCONT to let requests pile up). */
    signal: (sig) => proc.kill(sig),
    /** Stops the server process but keeps its data dir and database (for the CLI, sqlite3, psql); stop() still cleans up. */
    async halt() {
      server.stopping = true;
      if (proc.exitCode === null && proc.signalCode === null) {
        const gone = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 10000);
        await gone;
        clearTimeout(t);
      }
    },
    async stop() {
      await server.halt();
      if (base.dbName) {
        try {
          await psql(PG_URL, `DROP DATABASE IF EXISTS ${base.dbName} WITH (FORCE)`);
        } catch (e) {
          console.error(`# ${e.message}`);
        }
      }
      rmSync(base.dataDir, { recursive: true, force: true });
    },
  };
  proc.on('exit', (code, sig) => {
    if (!server.stopping) console.error(`# talentd serve exited unexpectedly (${code ?? sig}):\n${started.log()}`);
  });
  return server;
}

// ---------------------------------------------------------------------------
// database snapshots

// Tables that change on login by design.
const SNAPSHOT_SKIP = new Set(['session', 'login_failure']);

/**
 * A deterministic text dump of every domain table (all but session and
 * login_failure), rows ordered by all columns. Equal snapshots mean no row
 * was added, removed or changed.
 */
export async function dbSnapshot(server) {
  if (server.dbUrl) {
    const cols = await psql(
      server.dbUrl,
      "SELECT table_name, count(*) FROM information_schema.columns WHERE table_schema = 'public' " +
        'GROUP BY table_name ORDER BY table_name',
    );
    const tables = cols.trim().split('\n').filter(Boolean).map((l) => l.split('|'));
    let script = '';
    for (const [t, n] of tables) {
      if (SNAPSHOT_SKIP.has(t)) continue;
      const order = Array.from({ length: Number(n) }, (_, i) => i + 1).join(', ');
      script += `\\echo == ${t}\nCOPY (SELECT * FROM "${t}" ORDER BY ${order}) TO STDOUT;\n`;
    }
    const r = await run('psql', [server.dbUrl, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', '-'], { input: script });
    if (r.code !== 0) throw new Error(`snapshot failed: ${r.stderr}`);
    return r.stdout;
  }
  const file = path.join(server.dataDir, 'talentd.db');
  const list = await run('sqlite3', [
    file,
    "SELECT m.name, COUNT(*) FROM sqlite_master m, pragma_table_info(m.name) WHERE m.type = 'table' " +
      "AND m.name NOT LIKE 'sqlite_%' GROUP BY m.name ORDER BY m.name",
  ]);
  if (list.code !== 0) throw new Error(`snapshot failed: ${list.stderr}`);
  let script = '.mode quote\n.headers on\n';
  for (const line of list.stdout.trim().split('\n').filter(Boolean)) {
    const [t, n] = line.split('|');
    if (SNAPSHOT_SKIP.has(t)) continue;
    const order = Array.from({ length: Number(n) }, (_, i) => i + 1).join(', ');
    script += `.print == ${t}\nSELECT * FROM "${t}" ORDER BY ${order};\n`;
  }
  const r = await run('sqlite3', [file], { input: script });
  if (r.code !== 0) throw new Error(`snapshot failed: ${r.stderr}`);
  return r.stdout;
}

/** Line-level differences between two snapshots, for assertion messages. */
export function snapshotDiff(a, b) {
  const al = a.split('\n');
  const bl = b.split('\n');
  const as = new Set(al);
  const bs = new Set(bl);
  const gone = al.filter((l) => !bs.has(l));
  const added = bl.filter((l) => !as.has(l));
  return [...gone.map((l) => '- ' + l), ...added.map((l) => '+ ' + l)].slice(0, 40).join('\n');
}

// ---------------------------------------------------------------------------
// assertions shared by the suites

/** Asserts r is an error envelope with this status (and code, when given). */
export function assertError(assert, r, status, code, what = '') {
  const ctx = `${what} -> ${r.status} ${r.text?.slice(0, 400)}`;
  assert.equal(r.status, status, ctx);
  assert.ok(r.body && typeof r.body === 'object' && r.body.error, `error envelope expected: ${ctx}`);
  const e = r.body.error;
  assert.equal(typeof e.code, 'string', ctx);
  assert.equal(typeof e.message, 'string', ctx);
  assert.ok(e.message.length > 0, ctx);
  assert.equal(typeof e.request_id, 'string', ctx);
  assert.ok(e.request_id.length > 0, ctx);
  if (r.headers?.get) assert.equal(r.headers.get('x-request-id'), e.request_id, `request id header ${ctx}`);
  if (code) assert.equal(e.code, code, ctx);
  return e;
}

// ---------------------------------------------------------------------------
// seed data

export const PASSWORD = 'correct-horse-battery';

const uniq = () => randomBytes(3).toString('hex');

async function must(r, status, what) {
  if (r.status !== status) throw new Error(`seed: ${what}: expected ${status}, got ${r.status} ${r.text}`);
  return r.body;
}

/**
 * Creates through the API (as admin) a small organisation:
 *   org units HQ (root) > SALES, ENG > ENG-BE
 *   positions SALES-01 (SALES), ENG-01 (ENG), ENG-BE-01 (ENG-BE)
 *   users hr1 (hr), mgr_sales (manager SALES), mgr_eng (manager ENG), int1, int2 (interviewers)
 *   candidates and applications: two for SALES-01, one for ENG-01, one for ENG-BE-01
 *   application sales[0] assigned to int1
 * and logs every role in once. Returns ids, clients and the records.
 */
export async function seed(server, { tokens = true } = {}) {
  const admin = await server.login('admin', server.adminPassword);
  const s = { admin, org: {}, pos: {}, users: {}, cand: {}, app: {}, clients: { admin }, tokens: {} };

  const org = async (code, name, parent) =>
    (s.org[code] = await must(
      await admin.post('/api/v1/org-units', { code, name, ...(parent ? { parent } : {}) }),
      201,
      `org unit ${code}`,
    ));
  await org('HQ', 'Headquarters');
  await org('SALES', 'Sales', 'HQ');
  await org('ENG', 'Engineering', 'HQ');
  await org('ENG-BE', 'Backend', 'ENG');

  const user = async (username, role, org_unit) =>
    (s.users[username] = await must(
      await admin.post('/api/v1/users', {
        username,
        role,
        password: PASSWORD,
        display_name: username,
        ...(org_unit ? { org_unit } : {}),
      }),
      201,
      `user ${username}`,
    ));
  await user('hr1', 'hr');
  await user('mgr_sales', 'manager', 'SALES');
  await user('mgr_eng', 'manager', 'ENG');
  await user('int1', 'interviewer');
  await user('int2', 'interviewer');

  const position = async (code, title, org_unit, extra = {}) =>
    (s.pos[code] = await must(
      await admin.post('/api/v1/positions', {
        code,
        title,
        org_unit,
        headcount: 3,
        status: 'open',
        review_required: false,
        competency_model: [
          { dim: 'logic', weight: 0.5, min: 60 },
          { dim: 'communication', weight: 0.5, min: 50 },
        ],
        salary_min: 10000,
        salary_max: 20000,
        ...extra,
      }),
      201,
      `position ${code}`,
    ));
  await position('SALES-01', 'Account Executive', 'SALES');
  await position('ENG-01', 'Engineer', 'ENG');
  await position('ENG-BE-01', 'Backend Engineer', 'ENG-BE', { review_required: true });

  let n = 0;
  const candidate = async (key, name) => {
    n++;
    const phone = `1380000${String(1000 + n).padStart(4, '0')}`;
    return (s.cand[key] = await must(
      await admin.post('/api/v1/candidates', {
        name,
        email: `${key.replace(/_/g, '.')}@example.com`,
        phone,
        id_number: `11010519900101${String(1000 + n).padStart(4, '0')}`,
        source: 'referral',
        consent: true,
      }),
      201,
      `candidate ${key}`,
    ));
  };
  const application = async (key, cand, position) =>
    (s.app[key] = await must(
      await admin.post('/api/v1/applications', { candidate_id: s.cand[cand].id, position }),
      201,
      `application ${key}`,
    ));
  await candidate('sales_a', 'Sales Candidate A');
  await candidate('sales_b', 'Sales Candidate B');
  await candidate('eng_a', 'Eng Candidate A');
  await candidate('engbe_a', 'Backend Candidate A');
  await application('sales_a', 'sales_a', 'SALES-01');
  await application('sales_b', 'sales_b', 'SALES-01');
  await application('eng_a', 'eng_a', 'ENG-01');
  await application('engbe_a', 'engbe_a', 'ENG-BE-01');
  await must(await admin.post(`/api/v1/applications/${s.app.sales_a.id}/assignees`, { user: 'int1' }), 200,
    'assign int1');

  for (const u of ['hr1', 'mgr_sales', 'mgr_eng', 'int1', 'int2']) s.clients[u] = await server.login(u, PASSWORD);

  if (tokens) {
    const cliTok = await server.cli(['token', 'create', '--name', 'seed-cli', '--scopes', 'candidates:read', '--user', 'admin']);
    if (cliTok.code !== 0) throw new Error(`seed: token create: ${cliTok.stderr}`);
    s.tokens.cli = cliTok.stdout.trim();
    const t = await must(
      await admin.post('/api/v1/tokens', { name: 'seed-api', scopes: ['positions:read', 'candidates:read'] }),
      201,
      'token via API',
    );
    s.tokens.api = t.token;
    s.tokens.apiId = t.id;
  }
  return s;
}

/** Creates a CLI token for user with these scopes; returns the token string. */
export async function cliToken(server, scopes, { user = 'admin', name = 'tok-' + uniq() } = {}) {
  const r = await server.cli(['token', 'create', '--name', name, '--scopes', scopes.join(','), '--user', user]);
  if (r.code !== 0) throw new Error(`token create: ${r.code} ${r.stderr}`);
  return r.stdout.trim();
}

export { uniq, sleep, psql };

/**
 * Walks a list with ?limit=N until next_cursor is null, asserting the page
 * shape; returns every item in order.
 */
export async function paginate(assert, client, listPath, limit = 3) {
  const items = [];
  let cursor = null;
  let pages = 0;
  for (;;) {
    const sep = listPath.includes('?') ? '&' : '?';
    const r = await client.get(`${listPath}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(r.status, 200, `GET ${listPath} page ${pages}: ${r.text}`);
    assert.ok(Array.isArray(r.body.items), `items array: ${r.text}`);
    assert.ok(r.body.items.length <= limit, `page of ${r.body.items.length} > limit ${limit}`);
    assert.ok('next_cursor' in r.body, 'next_cursor present');
    items.push(...r.body.items);
    pages++;
    if (r.body.next_cursor === null) break;
    assert.equal(typeof r.body.next_cursor, 'string');
    assert.equal(r.body.items.length, limit, 'a page before the last one is full');
    cursor = r.body.next_cursor;
    assert.ok(pages < 500, 'pagination ends');
  }
  const ids = items.map((i) => i.id);
  assert.equal(new Set(ids).size, ids.length, `no id twice in ${listPath}: ${ids}`);
  for (let i = 1; i < ids.length; i++) assert.ok(ids[i] > ids[i - 1], `ids ascending in ${listPath}: ${ids}`);
  return items;
}

// ---------------------------------------------------------------------------
// restarts (webhooks.test.mjs): the same data directory and database, a new process

/**
 * Halts server (if it still runs) and starts `talentd serve` again on its data
 * directory and database, on a new port, with serveArgs (default: those it
 * was last started with). Returns a new server object like startServer's; from then on use that
 * one (its stop() removes the data), not the old one.
 */
export async function restartServer(server, { serveArgs } = {}) {
  await server.halt();
  const args = serveArgs ?? server.serveArgs ?? [];
  const dbArgs = ['--data', server.dataDir, ...(server.dbUrl ? ['--db', server.dbUrl] : [])];
  const started = await spawnServe([...dbArgs, ...args], 'come back');
  const { dataDir, dbUrl, dbName, adminPassword, cli } = server;
  return serverObject({ dataDir, dbUrl, dbName, adminPassword, cli, serveArgs: args }, started);
}
