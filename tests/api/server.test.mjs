// server.test.mjs - the HTTP server's event loops (talentd runs each itself, all accepting from one
// listening socket): one, three and the default number serve hundreds of concurrent keep-alive
// connections without stalling, answer authenticated requests from their own database
// connections, and stop cleanly on SIGTERM.

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, test } from 'node:test';

import { cliToken, startServer } from './lib/harness.mjs';

const servers = [];

after(async () => {
  for (const s of servers) await s.stop();
});

/**
 * GETs pth on n connections at once, `rounds` times over the same keep-alive connections; the
 * statuses and how many connections served them. With srv, every round after the first is sent
 * while the server is stopped (SIGSTOP), so that all n requests are ready at once when it resumes.
 */
async function burst(url, pth, n, rounds, { headers = {}, srv = null } = {}) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: n, maxFreeSockets: n });
  const statuses = [];
  const sockets = new Set();
  try {
    for (let r = 0; r < rounds; r++) {
      const one = () =>
        new Promise((resolve, reject) => {
          const req = http.get(url + pth, { agent, headers }, (res) => {
            sockets.add(res.socket);
            res.resume();
            res.on('end', () => resolve(res.statusCode));
          });
          // a stalled loop leaves requests unanswered: fail instead of waiting for ever
          req.setTimeout(20000, () => req.destroy(new Error(`no answer within 20 s (round ${r})`)));
          req.on('error', reject);
        });
      const pause = srv && r > 0;
      if (pause) srv.signal('SIGSTOP');
      const all = Promise.all(Array.from({ length: n }, one));
      if (pause) {
        await new Promise((resolve) => setTimeout(resolve, 300)); // every request written
        srv.signal('SIGCONT');
      }
      statuses.push(...(await all));
    }
  } finally {
    agent.destroy();
  }
  return { statuses, connections: sockets.size };
}

for (const threads of ['1', '3', null]) {
  const label = threads ? `--threads ${threads}` : 'the default loops (one per core, at least 2)';
  test(`${label}: 300 concurrent keep-alive connections are all answered, round after round`, async () => {
    const srv = await startServer({ serveArgs: threads ? ['--threads', threads] : [] });
    servers.push(srv);
    // 128 requests ready at once is where libmicrohttpd's own single polling thread stalled
    for (const n of [128, 300]) {
      const { statuses, connections } = await burst(srv.url, '/healthz', n, 4, { srv });
      assert.equal(statuses.length, n * 4);
      assert.deepEqual([...new Set(statuses)], [200]);
      assert.equal(connections, n, 'each round reuses the same connections');
    }
    // authenticated requests on many connections at once: each loop thread uses its own database connection
    const token = await cliToken(srv, ['org:read']);
    const { statuses } = await burst(srv.url, '/api/v1/org-units', 64, 3, {
      headers: { Authorization: `Bearer ${token}` },
      srv,
    });
    assert.deepEqual([...new Set(statuses)], [200]);
    await srv.halt();
    assert.equal(srv.alive(), false);
    assert.match(srv.log, /stopping \(signal 15\)/);
  });
}

test('a port already in use: serve says so and exits, the running server goes on', async () => {
  const srv = await startServer();
  servers.push(srv);
  const port = new URL(srv.url).port;
  const second = await srv.cli(['serve', '--listen', `127.0.0.1:${port}`, '--quiet']);
  assert.notEqual(second.code, 0);
  assert.match(second.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: Address already in use`));
  const r = await fetch(srv.url + '/healthz');
  assert.equal(r.status, 200);
  await r.text();
});
