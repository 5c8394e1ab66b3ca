import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  resolvePerMessageDeflate,
  clientOffer,
  serverAccept,
  clientAccept,
  codecConfig,
} from '../../dist/esm/core/extensions/permessage-deflate.js';

const NEGOTIATION = { code: 'WS_ERR_EXTENSION_NEGOTIATION' };
const client = (o = {}) => resolvePerMessageDeflate(o, true);
const server = (o = {}) => resolvePerMessageDeflate(o, false);

test('option defaults and validation (ws semantics: client on, server off)', () => {
  assert.equal(resolvePerMessageDeflate(undefined, false), null);
  assert.equal(resolvePerMessageDeflate(false, true), null);
  const d = resolvePerMessageDeflate(undefined, true);
  assert.deepEqual(d, {
    serverNoContextTakeover: false,
    clientNoContextTakeover: false,
    serverMaxWindowBits: undefined,
    clientMaxWindowBits: true,
    threshold: 1024,
    level: -1,
    memLevel: 8,
    concurrencyLimit: 10,
    strategy: undefined,
    deflateChunkSize: undefined,
    inflateChunkSize: undefined,
  });
  assert.deepEqual(resolvePerMessageDeflate(true, false), d);
  for (const bad of [
    { serverMaxWindowBits: 7 }, { serverMaxWindowBits: 16 }, { clientMaxWindowBits: 9.5 }, { clientMaxWindowBits: '10' },
    { threshold: -1 }, { level: 10 }, { memLevel: 0 }, { concurrencyLimit: 0 }, { serverNoContextTakeover: 'yes' },
  ]) {
    assert.throws(() => resolvePerMessageDeflate(bad, true), { code: 'WS_ERR_INVALID_OPTION' }, JSON.stringify(bad));
  }
  assert.throws(() => resolvePerMessageDeflate('on', true), { code: 'WS_ERR_INVALID_OPTION' });
});

test("ws's zlibDeflateOptions and zlibInflateOptions: honoured, checked, and never silently dropped", () => {
  const wsReadme = client({
    zlibDeflateOptions: { chunkSize: 1024, memLevel: 7, level: 3 },
    zlibInflateOptions: { chunkSize: 10 * 1024 },
    clientNoContextTakeover: true,
    serverNoContextTakeover: true,
    serverMaxWindowBits: 10,
    concurrencyLimit: 10,
    threshold: 1024,
  });
  assert.equal(wsReadme.level, 3);
  assert.equal(wsReadme.memLevel, 7);
  assert.equal(wsReadme.deflateChunkSize, 1024);
  assert.equal(wsReadme.inflateChunkSize, 10 * 1024);
  assert.equal(wsReadme.strategy, undefined);
  const agreed = { serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 10, clientMaxWindowBits: 15 };
  const config = codecConfig(agreed, false, wsReadme);
  assert.deepEqual(
    [config.level, config.memLevel, config.deflateChunkSize, config.inflateChunkSize, config.deflateWindowBits],
    [3, 7, 1024, 10 * 1024, 15],
  );
  assert.equal(client({ zlibDeflateOptions: { strategy: 3 } }).strategy, 3);
  // The same setting both ways: fine when equal.
  assert.equal(client({ level: 2, zlibDeflateOptions: { level: 2 } }).level, 2);
  // windowBits: accepted and ignored, as in ws (negotiation decides the window).
  const ignored = client({ zlibDeflateOptions: { windowBits: 9 }, zlibInflateOptions: { windowBits: 9 } });
  assert.equal(codecConfig(agreed, true, ignored).inflateWindowBits, 15);
  const cases = [
    [{ level: 2, zlibDeflateOptions: { level: 5 } }, /perMessageDeflate\.level \(2\) and perMessageDeflate\.zlibDeflateOptions\.level \(5\) disagree/],
    [{ zlibDeflateOptions: { level: 11 } }, /zlibDeflateOptions\.level must be an integer from -1 to 9/],
    [{ zlibDeflateOptions: { memLevel: 0 } }, /zlibDeflateOptions\.memLevel must be/],
    [{ zlibDeflateOptions: { strategy: 5 } }, /zlibDeflateOptions\.strategy must be an integer from 0 to 4/],
    [{ zlibDeflateOptions: { chunkSize: 63 } }, /zlibDeflateOptions\.chunkSize must be an integer from 64/],
    [{ zlibInflateOptions: { chunkSize: 2 ** 27 } }, /zlibInflateOptions\.chunkSize must be an integer from 64 to 67108864/],
    [{ zlibInflateOptions: { windowBits: 16 } }, /zlibInflateOptions\.windowBits must be an integer from 8 to 15/],
    [{ zlibDeflateOptions: { dictionary: Buffer.from('x') } }, /zlibDeflateOptions\.dictionary is not supported; use only level, memLevel, strategy, chunkSize, windowBits/],
    [{ zlibInflateOptions: { level: 1 } }, /zlibInflateOptions\.level is not supported; use only chunkSize, windowBits/],
    [{ zlibDeflateOptions: 'fast' }, /zlibDeflateOptions must be an object/],
    [{ zlibInflateOptions: null }, /zlibInflateOptions must be an object/],
  ];
  for (const [options, message] of cases) {
    assert.throws(() => client(options), { code: 'WS_ERR_INVALID_OPTION', message }, JSON.stringify(options));
  }
});

test('client offers', () => {
  assert.equal(clientOffer(client()), 'permessage-deflate; client_max_window_bits');
  assert.equal(clientOffer(client({ clientMaxWindowBits: false })), 'permessage-deflate');
  assert.equal(
    clientOffer(client({ serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 10, clientMaxWindowBits: 9 })),
    'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=9',
  );
});

test('server accepts the first offer it can honour and answers what it will do', () => {
  const s = server();
  assert.equal(serverAccept(undefined, s), null);
  assert.equal(serverAccept('x-other', s), null);
  assert.deepEqual(serverAccept('permessage-deflate; client_max_window_bits', s), {
    params: { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 },
    response: 'permessage-deflate',
  });
  // Invalid offers are declined and the next one is taken.
  for (const bad of [
    'permessage-deflate; server_max_window_bits',
    'permessage-deflate; server_max_window_bits=7',
    'permessage-deflate; server_max_window_bits=16',
    'permessage-deflate; server_max_window_bits=010',
    'permessage-deflate; server_max_window_bits=+9',
    'permessage-deflate; client_max_window_bits=0',
    'permessage-deflate; client_max_window_bits="16"',
    'permessage-deflate; server_no_context_takeover=1',
    'permessage-deflate; client_no_context_takeover="x"',
    'permessage-deflate; server_no_context_takeover; server_no_context_takeover',
    'permessage-deflate; client_max_window_bits; client_max_window_bits=10',
    'permessage-deflate; unknown',
    'permessage-deflate; __proto__',
  ]) {
    assert.equal(serverAccept(bad, s), null, bad);
    assert.equal(serverAccept(`${bad}, permessage-deflate; server_max_window_bits=11`, s).response,
      'permessage-deflate; server_max_window_bits=11', bad);
  }
  // Quoted values are the same as tokens.
  assert.equal(
    serverAccept('permessage-deflate; server_max_window_bits="10"; client_max_window_bits="12"', s).response,
    'permessage-deflate; server_max_window_bits=10; client_max_window_bits=12',
  );
  // A header outside the grammar is an error the server answers with 400.
  assert.throws(() => serverAccept('permessage-deflate; =', s), { code: 'WS_ERR_INVALID_EXTENSION_HEADER' });
});

test('server options shape the answer', () => {
  const offer = 'permessage-deflate; client_max_window_bits';
  assert.equal(serverAccept(offer, server({ serverNoContextTakeover: true })).response, 'permessage-deflate; server_no_context_takeover');
  assert.equal(serverAccept(offer, server({ clientNoContextTakeover: true })).response, 'permessage-deflate; client_no_context_takeover');
  assert.equal(serverAccept(offer, server({ serverMaxWindowBits: 9 })).response, 'permessage-deflate; server_max_window_bits=9');
  assert.equal(serverAccept(offer, server({ clientMaxWindowBits: 10 })).response, 'permessage-deflate; client_max_window_bits=10');
  // A server that must bound the client's window declines offers that cannot be bounded.
  assert.equal(serverAccept('permessage-deflate', server({ clientMaxWindowBits: 10 })), null);
  assert.equal(
    serverAccept('permessage-deflate, permessage-deflate; client_max_window_bits=12', server({ clientMaxWindowBits: 10 })).response,
    'permessage-deflate; client_max_window_bits=10',
  );
  // The smaller of offer and option wins.
  assert.equal(
    serverAccept('permessage-deflate; server_max_window_bits=8; client_max_window_bits=9', server({ serverMaxWindowBits: 12, clientMaxWindowBits: 12 })).response,
    'permessage-deflate; server_max_window_bits=8; client_max_window_bits=9',
  );
});

test('client refuses responses it did not offer or that are malformed', () => {
  const c = client();
  for (const bad of [
    'x-foo',
    'permessage-deflate, permessage-deflate',
    'permessage-deflate, x-foo',
    'permessage-deflate; client_max_window_bits',
    'permessage-deflate; client_max_window_bits=16',
    'permessage-deflate; server_max_window_bits=7',
    'permessage-deflate; server_max_window_bits',
    'permessage-deflate; server_max_window_bits=08',
    'permessage-deflate; server_no_context_takeover=true',
    'permessage-deflate; server_no_context_takeover; server_no_context_takeover',
    'permessage-deflate; foo',
    'permessage-deflate; constructor',
    'permessage-deflate;',
    'permessage-deflate; server_max_window_bits="1 0"',
    ',',
  ]) {
    assert.throws(() => clientAccept(bad, c), NEGOTIATION, bad);
  }
  assert.throws(() => clientAccept('permessage-deflate', null), NEGOTIATION);
  assert.equal(clientAccept(undefined, c), null);
  assert.equal(clientAccept(undefined, null), null);
  // Parameters the server may add on its own.
  assert.deepEqual(
    clientAccept('permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9; client_max_window_bits=10', c),
    { serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 9, clientMaxWindowBits: 10 },
  );
  assert.throws(() => clientAccept('permessage-deflate; client_max_window_bits=10', client({ clientMaxWindowBits: false })), NEGOTIATION);
  assert.throws(() => clientAccept('permessage-deflate; client_max_window_bits=12', client({ clientMaxWindowBits: 11 })), NEGOTIATION);
  assert.throws(() => clientAccept('permessage-deflate', client({ serverNoContextTakeover: true })), NEGOTIATION);
  assert.throws(() => clientAccept('permessage-deflate', client({ serverMaxWindowBits: 10 })), NEGOTIATION);
  assert.throws(() => clientAccept('permessage-deflate; server_max_window_bits=11', client({ serverMaxWindowBits: 10 })), NEGOTIATION);
  // The client's own limits apply even when the server says nothing.
  assert.deepEqual(clientAccept('permessage-deflate', client({ clientMaxWindowBits: 11, clientNoContextTakeover: true })), {
    serverNoContextTakeover: false, clientNoContextTakeover: true, serverMaxWindowBits: 15, clientMaxWindowBits: 11,
  });
});

function* combos(side) {
  const clientBits = side === 'client' ? [true, false, 8, 12, 15] : [undefined, 8, 12, 15];
  for (const serverNoContextTakeover of [false, true])
    for (const clientNoContextTakeover of [false, true])
      for (const serverMaxWindowBits of [undefined, 8, 11, 15])
        for (const clientMaxWindowBits of clientBits)
          yield { serverNoContextTakeover, clientNoContextTakeover, serverMaxWindowBits, clientMaxWindowBits };
}

test('every combination of client and server options negotiates consistently', () => {
  let accepted = 0;
  let declined = 0;
  for (const co of combos('client')) {
    const c = client(co);
    const offer = clientOffer(c);
    for (const so of combos('server')) {
      const s = server(so);
      const result = serverAccept(offer, s);
      const what = `${JSON.stringify(co)} / ${JSON.stringify(so)}`;
      if (result === null) {
        // Only when the server must bound a window the client did not let it bound.
        assert.ok(typeof so.clientMaxWindowBits === 'number' && co.clientMaxWindowBits === false, what);
        declined++;
        continue;
      }
      accepted++;
      const agreed = clientAccept(result.response, c);
      const serverSide = codecConfig(result.params, true, s);
      const clientSide = codecConfig(agreed, false, c);
      // What one side deflates with, the other inflates with, and within every limit asked for.
      assert.ok(clientSide.deflateWindowBits <= serverSide.inflateWindowBits, what);
      assert.equal(serverSide.deflateWindowBits, clientSide.inflateWindowBits, what);
      assert.equal(serverSide.deflateNoContextTakeover, clientSide.inflateNoContextTakeover, what);
      if (serverSide.inflateNoContextTakeover) assert.ok(clientSide.deflateNoContextTakeover, what);
      if (co.serverNoContextTakeover || so.serverNoContextTakeover) assert.ok(serverSide.deflateNoContextTakeover, what);
      if (co.clientNoContextTakeover || so.clientNoContextTakeover) assert.ok(clientSide.deflateNoContextTakeover, what);
      for (const limit of [co.serverMaxWindowBits, so.serverMaxWindowBits]) {
        if (typeof limit === 'number') assert.ok(serverSide.deflateWindowBits <= limit, what);
      }
      for (const limit of [co.clientMaxWindowBits, so.clientMaxWindowBits]) {
        if (typeof limit === 'number') assert.ok(clientSide.deflateWindowBits <= limit, what);
      }
    }
  }
  assert.ok(accepted > 1000 && declined > 0, `${accepted} accepted, ${declined} declined`);
});
