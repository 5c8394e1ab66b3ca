// The judge is not trivially passing: peers that misbehave on purpose get the
// verdicts they deserve.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isFailing, runServerSuite, startClientSuite } from '../../dist/esm/conformance/index.js';
import { runEchoClient, startBrokenServer } from './peers.mjs';
import { describeResult } from './verdicts.mjs';

const CASES = ['1.1.2', '1.2.5', '2.4', '2.5', '5.9', '6.3.15', '7.2.1', '7.3.1', '7.4.3'];
const ECHO_CASES = new Set(['1.1.2', '1.2.5', '2.4']);
const timeouts = { caseMs: 300, closeMs: 300, failFastMs: 50 };

test('a server that never echoes nor closes: FAILED where an answer is due, UNCLEAN everywhere', { timeout: 30_000 }, async () => {
  const server = await startBrokenServer('silent');
  try {
    const report = await runServerSuite({ url: server.url, cases: CASES, timeouts });
    assert.equal(report.results.length, CASES.length);
    for (const r of report.results) {
      assert.equal(r.behaviorClose, 'UNCLEAN', describeResult(r));
      assert.equal(r.behavior, 'FAILED', describeResult(r));
      assert.ok(isFailing(r));
    }
    assert.equal(report.failing, CASES.length);
  } finally {
    await server.close();
  }
});

test('a server that answers everything with Close 1001: WRONG CODE on every case', { timeout: 30_000 }, async () => {
  const server = await startBrokenServer('wrong-code');
  try {
    const report = await runServerSuite({ url: server.url, cases: CASES, timeouts });
    for (const r of report.results) {
      assert.equal(r.behaviorClose, 'WRONG CODE', describeResult(r));
      assert.equal(r.teardown.peerCloseCode, 1001);
      if (ECHO_CASES.has(r.id)) assert.equal(r.behavior, 'FAILED', describeResult(r));
    }
    assert.equal(report.failing, CASES.length);
  } finally {
    await server.close();
  }
});

test('a client that does not echo: FAILED on the echo cases, OK on the others', { timeout: 30_000 }, async () => {
  const suite = await startClientSuite({ port: 0, cases: CASES, timeouts });
  try {
    const reported = suite.nextReport();
    await runEchoClient('socketeer', suite.url, 'no-echo', {}, { echo: false });
    const report = await reported;
    for (const r of report.results) {
      const isEchoOfData = ECHO_CASES.has(r.id) && r.id !== '2.4';
      assert.equal(r.behavior, isEchoOfData ? 'FAILED' : 'OK', describeResult(r));
    }
  } finally {
    await suite.close();
  }
});
