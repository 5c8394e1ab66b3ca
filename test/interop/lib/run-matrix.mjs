// Registers the matrix (../matrix.mjs) for one peer as node:test tests.
// Each case gets a fresh connection; whatever a case leaves open is
// terminated after it. The driver (browser, Python process) is started once
// per file and closed at the end.
import { describe, test, before, after, afterEach } from 'node:test';
import { PEERS, CASES, sideCaps, CASE_TIMEOUT_MS } from '../matrix.mjs';
import { checks, inCI } from './availability.mjs';
import { loadSubject } from './subject.mjs';
import { startNodeServer, connectNodeClient } from './node-endpoint.mjs';
import { Results } from './results.mjs';

const ROLE_TITLE = {
  client: (peer) => `${peer.label} client -> socketeer server`,
  server: (peer) => `socketeer client -> ${peer.label} server`,
};

export function defineInteropTests(peerId) {
  const peer = PEERS.find((p) => p.id === peerId);
  if (!peer) throw new Error(`no peer ${peerId} in matrix.mjs`);
  const results = new Results(peer);
  const missing = checks[peer.check]();
  if (missing) {
    results.missing = missing;
    results.write();
    const skip = inCI() ? false : `${peer.label} missing: ${missing}`;
    test(`interop ${peer.label}: peer is installed`, { skip }, () => {
      throw new Error(`${peer.label} is missing (CI=true): ${missing}`);
    });
    return;
  }

  describe(`interop: ${peer.label}`, () => {
    const state = { subject: null, driver: null, servers: {}, open: new Set(), nextId: 0 };

    before(async () => {
      state.subject = await loadSubject();
      results.subject = `${state.subject.name} ${state.subject.version}`;
      state.driver = await (await peer.driver()).start();
      results.versions = state.driver.versions;
    });

    after(async () => {
      for (const server of Object.values(state.servers)) await (await server.catch(() => null))?.close();
      await state.driver?.close();
      results.write();
    });

    afterEach(async () => {
      for (const handle of state.open) await handle.dispose();
      state.open.clear();
    });

    for (const role of peer.roles) {
      const caps = sideCaps(peer, role);
      const ours = role === 'client' ? 'server' : 'client';
      const env = {
        role,
        peer,
        ours,
        theirs: role,
        label(side) { return `${side} (${side === ours ? state.subject.name : peer.label})`; },
        server() {
          state.servers[role] ??= role === 'client' ? startNodeServer(state.subject) : state.driver.startServer();
          return state.servers[role];
        },
        connect(url, opts) {
          return role === 'client' ? state.driver.connect(url, opts) : connectNodeClient(state.subject, url, opts);
        },
        /** Connects a client; { id, server, res } where res is the driver's connect outcome. */
        async tryOpen({ path = 'plain', protocols = [], binaryType } = {}) {
          const server = await env.server();
          const id = String(++state.nextId);
          const url = `${server.urls[path]}?conn=${id}`;
          const res = await env.connect(url, { protocols, deflate: path === 'deflate', binaryType });
          if (res.ok) state.open.add(res.handle);
          return { id, url, server, res };
        },
        async open(options) {
          const { id, url, server, res } = await env.tryOpen(options);
          if (!res.ok) {
            throw new Error(`${env.label('client')} could not connect to ${url}: ${res.message || 'no error message'}; close ${JSON.stringify(res.close)}`);
          }
          const serverHandle = await server.accept(id);
          state.open.add(serverHandle);
          return { client: res.handle, server: serverHandle };
        },
        async openRefused() {
          return (await env.tryOpen({ path: 'refuse' })).res;
        },
      };

      describe(ROLE_TITLE[role](peer), () => {
        for (const c of CASES) {
          const verdict = c.applies ? c.applies(caps, env) : true;
          if (verdict !== true) {
            results.add({ role, case: c.id, title: c.title, status: 'n/a', detail: verdict });
            continue;
          }
          test(c.title, { timeout: c.timeout ?? CASE_TIMEOUT_MS }, async () => {
            const started = performance.now();
            try {
              await c.run(env);
              results.add({ role, case: c.id, title: c.title, status: 'pass', ms: Math.round(performance.now() - started) });
            } catch (error) {
              results.add({ role, case: c.id, title: c.title, status: 'fail', detail: error.message.split('\n')[0] });
              throw error;
            }
          });
        }
      });
    }
  });
}
