// The interop matrix: one table of peers and one table of cases. Every peer
// runs every case that applies to it; adding a peer is a row in PEERS plus a
// driver in peers/ (see docs/interop.md).
//
// A case gets `env` with:
//   env.open({ path, protocols, binaryType }) -> { client, server } handles
//   env.tryOpen(same)  -> { id, url, server, res }: the client's connect outcome,
//                         for handshakes a client may refuse
//   env.openRefused()  -> what the client saw when the server answered 403
//   env.peer / env.role -> the PEERS row and the role it plays (sideCaps())
//   env.ours / env.theirs -> 'client' | 'server' (which side is socketeer)
//   env.label(side)    -> "client (Chromium)" etc., for failure messages
// Handles are described in lib/node-endpoint.mjs.
import assert from 'node:assert/strict';
import { expected, describeSpec } from './lib/payload.mjs';

// Every wait (a message, a pong, a close event) is bounded by WAIT_MS, so a
// failing row costs seconds; CASE_TIMEOUT_MS bounds a whole row.
export const WAIT_MS = Number(process.env.INTEROP_WAIT_MS) || 5_000;
export const CASE_TIMEOUT_MS = 15_000;

// Server side of subprotocol selection: the first protocol the client offers
// that the server supports. Python websockets ranks by the sum of both list
// positions; the offers in the cases below give the same answer either way.
export const SERVER_PROTOCOLS = ['chat.v2', 'chat.v1', 'other'];
export function pickProtocol(offered) {
  return offered.find((p) => SERVER_PROTOCOLS.includes(p));
}

const MiB = 1024 * 1024;
const ALL = { ping: true, terminate: true, refuse: true, blob: false };

// roles: 'client' = the peer is the client and socketeer the server;
//        'server' = the peer is the server and socketeer the client.
// caps: what the peer exposes in that role (socketeer has every cap but blob).
export const PEERS = [
  {
    id: 'chromium', label: 'Chromium', check: 'chromium', roles: ['client'],
    caps: { client: { ping: false, terminate: false, blob: true, rejectsNoProtocol: true } },
    driver: () => import('./peers/chromium.mjs'),
  },
  {
    id: 'python', label: 'Python websockets', check: 'python', roles: ['client', 'server'],
    caps: { client: { ping: true, terminate: true }, server: { ping: true, terminate: true, refuse: true } },
    driver: () => import('./peers/python.mjs'),
  },
  {
    id: 'ws', label: 'ws', check: 'ws', roles: ['client', 'server'],
    caps: { client: { ping: true, terminate: true, rejectsNoProtocol: /Server sent no subprotocol/ }, server: { ping: true, terminate: true, refuse: true } },
    driver: () => import('./peers/ws.mjs'),
  },
  {
    id: 'undici', label: 'undici WebSocket', check: 'undici', roles: ['client'],
    caps: { client: { ping: true, terminate: false, rejectsNoProtocol: true, echoesReason: false } },
    driver: () => import('./peers/undici.mjs'),
  },
];

/** The capabilities of each side when `peer` plays `role`. */
export function sideCaps(peer, role) {
  const theirs = peer.caps[role] ?? {};
  return role === 'client' ? { client: theirs, server: ALL } : { client: ALL, server: theirs };
}

const TEXT_SIZES = [0, 1, 125, 126, 65535, 65536, MiB];
const BINARY_SIZES = [0, 1, 125, 126, 127, 65535, 65536, 65537, MiB];

function assertMessage(got, spec, who) {
  const want = expected(spec);
  assert.deepEqual(
    { isBinary: got.isBinary, length: got.length, sha256: got.sha256 },
    want,
    `${who} received a different message for ${describeSpec(spec)}`,
  );
}

/** client -> server, then the same payload server -> client. */
async function echo(env, client, server, spec) {
  const wait = spec.size >= 4 * MiB ? 4 * WAIT_MS : WAIT_MS; // 16 MiB on a busy CI machine
  client.send(spec);
  const atServer = await server.nextMessage(wait);
  assertMessage(atServer, spec, env.label('server'));
  server.send(spec);
  const atClient = await client.nextMessage(wait);
  assertMessage(atClient, spec, env.label('client'));
  return atClient;
}

function assertClose(env, side, got, want) {
  const who = env.label(side);
  assert.deepEqual(
    { code: got.code, reason: got.reason, wasClean: got.wasClean },
    want,
    `${who}: close event differs`,
  );
  // socketeer's three views of the close (WHATWG event, 'close' emitter, `closed` promise) agree.
  if (got.emitter) assert.deepEqual(got.emitter, { code: want.code, reason: want.reason }, `${who}: 'close' (code, reason) differs from the CloseEvent`);
  if (got.promise) {
    assert.deepEqual(
      { code: got.promise.code, reason: String(got.promise.reason), wasClean: got.promise.wasClean },
      want,
      `${who}: ws.closed differs from the CloseEvent`,
    );
  }
}

async function closeBoth(env, client, server) {
  client.close(1000, 'done');
  const [c, s] = await Promise.all([client.closed(), server.closed()]);
  assertClose(env, 'client', c, { code: 1000, reason: 'done', wasClean: true });
  assertClose(env, 'server', s, { code: 1000, reason: 'done', wasClean: true });
}

async function closeFrom(env, initiator, code, reason) {
  const { client, server } = await env.open();
  const ends = { client, server };
  const responder = initiator === 'client' ? 'server' : 'client';
  ends[initiator].close(code, reason);
  const [i, r] = await Promise.all([ends[initiator].closed(), ends[responder].closed()]);
  const want = { code: code ?? 1005, reason: reason ?? '', wasClean: true };
  assertClose(env, responder, r, want);
  // The initiator sees the responder's Close frame. RFC 6455 §5.5.1 only says
  // the responder "typically echos the status code": undici echoes the code
  // without the reason, so its peer rightly reports an empty reason.
  const echoesReason = sideCaps(env.peer, env.role)[responder].echoesReason !== false;
  assertClose(env, initiator, i, echoesReason ? want : { ...want, reason: '' });
}

async function terminateFrom(env, side) {
  const { client, server } = await env.open();
  const ends = { client, server };
  ends[side].terminate();
  const other = side === 'client' ? 'server' : 'client';
  assertClose(env, other, await ends[other].closed(), { code: 1006, reason: '', wasClean: false });
  assertClose(env, side, await ends[side].closed(), { code: 1006, reason: '', wasClean: false });
}

export const CASES = [
  {
    id: 'text', title: `text echo, ${TEXT_SIZES.length} sizes 0 B..1 MiB`,
    async run(env) {
      const { client, server } = await env.open();
      for (const size of TEXT_SIZES) await echo(env, client, server, { kind: 'text', size });
      await closeBoth(env, client, server);
    },
  },
  {
    id: 'binary', title: `binary echo, ${BINARY_SIZES.length} sizes 0 B..1 MiB`,
    async run(env) {
      const { client, server } = await env.open();
      for (const [i, size] of BINARY_SIZES.entries()) await echo(env, client, server, { kind: 'binary', size, seed: i });
      await closeBoth(env, client, server);
    },
  },
  {
    id: 'blob', title: 'binary echo as Blob (send a Blob, binaryType "blob")',
    applies: (caps) => caps.client.blob || 'the client has no Blob API',
    async run(env) {
      const { client, server } = await env.open({ binaryType: 'blob' });
      for (const size of [0, 126, 65536, MiB]) {
        const got = await echo(env, client, server, { kind: 'binary', size, seed: 3, via: 'blob' });
        assert.equal(got.type, 'Blob', `${env.label('client')} should receive a Blob`);
      }
      await closeBoth(env, client, server);
    },
  },
  {
    id: 'big', title: 'one 16 MiB binary message each way', timeout: 45_000,
    async run(env) {
      const { client, server } = await env.open();
      await echo(env, client, server, { kind: 'binary', size: 16 * MiB, seed: 9 });
      await closeBoth(env, client, server);
    },
  },
  {
    id: 'burst', title: '100 messages back to back each way (0 B..2 KiB, text and binary), in order',
    async run(env) {
      const { client, server } = await env.open();
      const specs = Array.from({ length: 100 }, (_, i) => ({ kind: i % 3 === 0 ? 'text' : 'binary', size: (i * 97) % 2048, seed: i }));
      client.send(specs);
      for (const spec of specs) assertMessage(await server.nextMessage(), spec, env.label('server'));
      server.send(specs);
      for (const spec of specs) assertMessage(await client.nextMessage(), spec, env.label('client'));
      await closeBoth(env, client, server);
    },
  },
  {
    id: 'fragmented', title: 'a message in 3 frames each way (text cut inside a UTF-8 character) where the sender can fragment',
    async run(env) {
      const { client, server } = await env.open();
      // 1023 B text: the first cut, at byte 341, falls inside a 3-byte character.
      await echo(env, client, server, { kind: 'text', size: 1023, fragments: 3 });
      await echo(env, client, server, { kind: 'binary', size: 70_000, seed: 4, fragments: 3 });
      await closeBoth(env, client, server);
    },
  },
  {
    id: 'subprotocol', title: 'subprotocol selection (offers chat.v3, chat.v2, chat.v1 -> chat.v2)',
    async run(env) {
      const { client, server } = await env.open({ protocols: ['chat.v3', 'chat.v2', 'chat.v1'] });
      assert.equal(server.protocol, 'chat.v2', `${env.label('server')} protocol`);
      assert.equal(client.protocol, 'chat.v2', `${env.label('client')} protocol`);
      await closeBoth(env, client, server);
    },
  },
  {
    id: 'no-subprotocol', title: 'no subprotocol in common -> protocol "" (or the client refuses, where its spec says so)',
    async run(env) {
      const protocols = ['nope.v1'];
      const refuses = sideCaps(env.peer, env.role).client.rejectsNoProtocol;
      if (refuses) {
        // RFC 6455 lets a server pick none (it omits the header). The WHATWG
        // fetch spec's WebSocket steps (browsers, undici) and npm ws's client
        // then fail the handshake by design; Python websockets and socketeer accept.
        const { res } = await env.tryOpen({ protocols });
        assert.equal(res.ok, false, `${env.label('client')} should refuse a handshake without a subprotocol`);
        if (refuses instanceof RegExp) assert.match(res.message, refuses, `${env.label('client')}: error message`);
        assert.equal(res.close.code, 1006, `${env.label('client')}: close code after the refused handshake`);
        return;
      }
      const { client, server } = await env.open({ protocols });
      assert.equal(server.protocol, '', `${env.label('server')} protocol`);
      assert.equal(client.protocol, '', `${env.label('client')} protocol`);
      await closeBoth(env, client, server);
    },
  },
  {
    id: 'close-client', title: 'client closes with 4001 + reason; both see it, wasClean',
    run: (env) => closeFrom(env, 'client', 4001, 'client says bye ✓'),
  },
  {
    id: 'close-server', title: 'server closes with 4000 + reason; both see it, wasClean',
    run: (env) => closeFrom(env, 'server', 4000, 'server says bye ✓'),
  },
  {
    id: 'close-long-reason', title: 'server closes with 4002 + a 123-byte UTF-8 reason (the maximum); both see it',
    run: (env) => closeFrom(env, 'server', 4002, `${'é'.repeat(61)}x`),
  },
  {
    id: 'send-then-close', title: 'each side in turn sends 3 messages (up to 1 MiB) and closes 4003 at once; all arrive first',
    async run(env) {
      const specs = [{ kind: 'text', size: 10 }, { kind: 'binary', size: MiB, seed: 7 }, { kind: 'text', size: 70_000 }];
      for (const initiator of ['server', 'client']) {
        const { client, server } = await env.open();
        const ends = { client, server };
        const responder = initiator === 'client' ? 'server' : 'client';
        ends[initiator].send(specs);
        ends[initiator].close(4003, 'after the data');
        for (const spec of specs) assertMessage(await ends[responder].nextMessage(), spec, env.label(responder));
        const [i, r] = await Promise.all([ends[initiator].closed(), ends[responder].closed()]);
        const want = { code: 4003, reason: 'after the data', wasClean: true };
        assertClose(env, responder, r, want);
        const echoesReason = sideCaps(env.peer, env.role)[responder].echoesReason !== false;
        assertClose(env, initiator, i, echoesReason ? want : { ...want, reason: '' });
      }
    },
  },
  {
    id: 'close-empty', title: 'client closes with no code; both see 1005, wasClean',
    run: (env) => closeFrom(env, 'client', undefined, undefined),
  },
  {
    id: 'ping-ours', title: 'socketeer pings; the peer answers with the same payload',
    async run(env) {
      const { client, server } = await env.open();
      const ours = env.ours === 'client' ? client : server;
      const hex = Buffer.from('ping from socketeer').toString('hex');
      assert.equal(await ours.ping(hex), hex, `${env.label(env.ours)}: pong payload`);
      await closeBoth(env, client, server);
    },
  },
  {
    id: 'ping-peer', title: 'the peer pings; socketeer sees it and answers',
    applies: (caps, env) => caps[env.theirs].ping || 'the peer exposes no ping()',
    async run(env) {
      const { client, server } = await env.open();
      const ends = { client, server };
      const hex = Buffer.from('ping from the peer').toString('hex');
      const pong = ends[env.theirs].ping(hex);
      assert.equal(await ends[env.ours].nextPing(), hex, `${env.label(env.ours)}: ping payload`);
      assert.equal(await pong, hex, `${env.label(env.theirs)}: pong payload`);
      await closeBoth(env, client, server);
    },
  },
  {
    id: 'terminate-server', title: 'server terminates; both see 1006, wasClean false',
    applies: (caps) => caps.server.terminate || 'the server exposes no terminate()',
    run: (env) => terminateFrom(env, 'server'),
  },
  {
    id: 'terminate-client', title: 'client terminates; both see 1006, wasClean false',
    applies: (caps) => caps.client.terminate || 'the client exposes no terminate()',
    run: (env) => terminateFrom(env, 'client'),
  },
  {
    id: 'refuse-403', title: 'server refuses the handshake with 403; client sees an error and 1006',
    applies: (caps) => caps.server.refuse || 'the server cannot refuse',
    async run(env) {
      const got = await env.openRefused();
      assert.equal(got.ok, false, `${env.label('client')} should not open`);
      assert.equal(got.errored, true, `${env.label('client')} should see an error`);
      if (got.status != null) assert.equal(got.status, 403, `${env.label('client')}: HTTP status (${got.message})`);
      assert.deepEqual(
        { code: got.close.code, wasClean: got.close.wasClean },
        { code: 1006, wasClean: false },
        `${env.label('client')}: close after refusal`,
      );
    },
  },
  {
    id: 'deflate', title: 'permessage-deflate negotiated as the client offers it; 1 MiB text + 256 KiB binary echo, then 50 messages each way',
    async run(env) {
      const { client, server } = await env.open({ path: 'deflate' });
      for (const side of ['client', 'server']) {
        const ext = { client, server }[side].extensions;
        assert.match(
          ext ?? '',
          /permessage-deflate/,
          `${env.label(side)} negotiated extensions ${JSON.stringify(ext)}; expected permessage-deflate` +
            (side === env.ours ? ' (is perMessageDeflate implemented in socketeer yet?)' : ''),
        );
      }
      await echo(env, client, server, { kind: 'text', size: MiB });
      await echo(env, client, server, { kind: 'binary', size: 256 * 1024, seed: 5 });
      // The compression context carries over between messages (no_context_takeover
      // is not negotiated by default), so a burst of similar messages exercises it.
      const specs = Array.from({ length: 50 }, (_, i) => ({ kind: i % 2 ? 'text' : 'binary', size: 200 + i * 40, seed: 1 }));
      client.send(specs);
      for (const spec of specs) assertMessage(await server.nextMessage(), spec, env.label('server'));
      server.send(specs);
      for (const spec of specs) assertMessage(await client.nextMessage(), spec, env.label('client'));
      await closeBoth(env, client, server);
    },
  },
];
