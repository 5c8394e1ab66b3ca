// Audit (issue 2 §3): every received close code on the boundary of the valid
// ranges (1000-1003, 1007-1014, 3000-4999 valid; the rest refused with 1002),
// for both roles over loopback against a raw peer.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ROLES } from '../helpers/raw-pairs.mjs';
import { OP, closeBody } from '../helpers/raw-peer.mjs';
import { withTimeout } from '../helpers/once.mjs';

const VALID = new Set([1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999]);
const CODES = [0, 999, ...Array.from({ length: 18 }, (_, i) => 999 + i), 1100, 2999, 3000, 3999, 4000, 4999, 5000, 65535];

for (const role of ['server', 'client']) {
  describe(`socketeer ${role} receives Close codes`, () => {
    test(`${[...new Set(CODES)].length} codes: valid ones echoed and reported, the rest fail with 1002`, async () => {
      for (const code of new Set(CODES)) {
        const t = await ROLES[role]({ closeTimeout: 300 });
        try {
          t.peer.sendClose(code, 'r');
          const answer = await t.peer.nextFrame();
          assert.equal(answer.opcode, OP.close, `${code}: a Close comes back`);
          const sent = answer.payload.readUInt16BE(0);
          // End our side at once so neither role waits for closeTimeout.
          t.peer.end();
          const info = await withTimeout(t.ws.closed, 3000, `closed after ${code}`);
          if (VALID.has(code)) {
            assert.equal(sent, code, `${code}: echoed`);
            assert.deepEqual([info.code, info.reason], [code, 'r'], `${code}: reported`);
          } else {
            assert.equal(sent, 1002, `${code}: refused with 1002`);
            assert.equal(info.code, 1002, `${code}: close event 1002`);
          }
          assert.equal(t.peer.closeFrames.length, 1, `${code}: one Close`);
        } finally {
          await t.dispose();
        }
      }
    });
  });
}
