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
