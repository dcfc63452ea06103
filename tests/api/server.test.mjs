// server.test.mjs - the HTTP server's event loops: `talentd serve --threads 1` (one loop that
// talentd runs itself) and the default thread pool both serve hundreds of concurrent keep-alive
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

for (const threads of ['1', null]) {
  const label = threads ? `--threads ${threads}` : 'the default thread pool';
  // libmicrohttpd's pool threads have the single thread's stall too, once one of them has 128 requests
  // ready at once (300 connections on 2 threads: seen on PostgreSQL in CI); talentd runs its own loop
  // only with --threads 1 so far: a known failure, kept visible (docs/performance.md)
  const todo = threads ? false : 'libmicrohttpd pool threads stall with 128 requests ready at once';
  test(`${label}: 300 concurrent keep-alive connections are all answered, round after round`, { todo }, async () => {
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
