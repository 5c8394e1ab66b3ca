// docs/api.md cannot drift from the library: every export of socketeer,
// socketeer/redis and socketeer/cluster, every public member of an exported
// class or interface (options included), every event of the event maps and
// every error code must appear in it as code (`name`). The surface is read
// from the built declarations with the TypeScript compiler (public-surface.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repo } from './consumer.mjs';
import { missingFromReference, publicSurface } from './public-surface.mjs';

test('docs/api.md names every export, member, option, event and error code', () => {
  const surface = publicSurface();
  const names = surface.exports.map((e) => e.name);
  // The surface really is read: the main classes, their events and the error codes are there.
  for (const name of ['WebSocket', 'WebSocketServer', 'WebSocketOptions', 'WebSocketEvents', 'redisPubSub', 'clusterPubSub']) {
    assert.ok(names.includes(name), name);
  }
  const events = surface.exports.find((e) => e.name === 'WebSocketEvents').members;
  assert.ok(events.includes('message') && events.includes('unexpected-response'));
  assert.ok(surface.errorCodes.includes('WS_ERR_MESSAGE_TOO_BIG') && surface.errorCodes.includes('WS_ERR_INVALID_TOPIC'));
  const markdown = readFileSync(join(repo, 'docs/api.md'), 'utf8');
  assert.deepEqual(missingFromReference(markdown, surface), [], 'add these to docs/api.md');
  // And the check bites: a page without the error table misses its codes.
  const withoutCodes = markdown.replace(/WS_ERR_MESSAGE_TOO_BIG/g, '');
  assert.deepEqual(missingFromReference(withoutCodes, surface), ['error code WS_ERR_MESSAGE_TOO_BIG']);
});

test('README links the API reference', () => {
  assert.match(readFileSync(join(repo, 'README.md'), 'utf8'), /\(docs\/api\.md\)/);
});

test('every export and public member has TSDoc, so editors show what it is', () => {
  const { undocumented } = publicSurface();
  assert.deepEqual(undocumented, [], 'add a /** doc comment */ to these');
});
