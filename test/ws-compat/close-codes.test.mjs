// Close codes a ws program passes to close(), on either side.
import { once } from 'node:events';
import { describe } from 'node:test';
import { compare, pair } from './harness.mjs';

const WIRE_VALID = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4999];
const NEVER_SENT = [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000];

describe('ws-compat: close codes', () => {
  for (const side of ['client', 'server']) {
    compare(`${side} close() with every wire-valid code: both ends see the code and the reason`, async (lib, cleanup) => {
      const trace = [];
      for (const code of WIRE_VALID) {
        const p = await pair(lib, {}, cleanup);
        const [closer, other] = side === 'client' ? [p.client, p.server] : [p.server, p.client];
        const closedHere = once(closer, 'close');
        const closedThere = once(other, 'close');
        closer.close(code, `bye ${code}`);
        const [[c1, r1], [c2, r2]] = await Promise.all([closedHere, closedThere]);
        trace.push([code, c1, String(r1), c2, String(r2)]);
      }
      return trace;
    });

    compare(`${side} close() with a code that never goes on the wire throws and the socket stays open`, async (lib, cleanup) => {
      const p = await pair(lib, {}, cleanup);
      const closer = side === 'client' ? p.client : p.server;
      const trace = NEVER_SENT.map((code) => {
        try {
          closer.close(code);
          return [code, 'accepted'];
        } catch (error) {
          return [code, 'threw', error instanceof Error];
        }
      });
      trace.push(['readyState', closer.readyState]);
      const message = once(side === 'client' ? p.server : p.client, 'message');
      closer.send('still open');
      trace.push(['message', String((await message)[0])]);
      return trace;
    });
  }

  compare('close() without a code: the peer sees 1005, the closer too', async (lib, cleanup) => {
    const p = await pair(lib, {}, cleanup);
    const a = once(p.client, 'close');
    const b = once(p.server, 'close');
    p.client.close();
    const [[c1], [c2]] = await Promise.all([a, b]);
    return [c1, c2];
  });
});
