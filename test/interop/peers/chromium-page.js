// Runs inside the Chromium page (injected by peers/chromium.mjs): the page's
// own WebSocket, driven by connection id. Every received message is reported
// as { isBinary, length, sha256, type } through window.__interopReport, in
// arrival order. Payload specs are rebuilt as in lib/payload.mjs.
(() => {
  const TEXT_UNIT = 'socketeer ✓ héllo wörld 🌍 ';
  const TEXT_UNIT_BYTES = new TextEncoder().encode(TEXT_UNIT).length;
  const conns = new Map();

  function build(spec) {
    if (spec.kind === 'text') {
      const whole = Math.floor(spec.size / TEXT_UNIT_BYTES);
      return TEXT_UNIT.repeat(whole) + 'x'.repeat(spec.size - whole * TEXT_UNIT_BYTES);
    }
    const seed = spec.seed ?? 0;
    const out = new Uint8Array(spec.size);
    for (let i = 0; i < spec.size; i++) out[i] = (((i % 251) * 7) + seed) & 0xff;
    return out;
  }

  async function sha256(bytes) {
    const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    return Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  async function describe(data) {
    if (typeof data === 'string') {
      const bytes = new TextEncoder().encode(data);
      return { isBinary: false, length: bytes.length, sha256: await sha256(bytes), type: 'string' };
    }
    const type = data instanceof Blob ? 'Blob' : 'ArrayBuffer';
    const bytes = new Uint8Array(data instanceof Blob ? await data.arrayBuffer() : data);
    return { isBinary: true, length: bytes.length, sha256: await sha256(bytes), type };
  }

  window.__interop = {
    connect(conn, url, protocols, binaryType) {
      return new Promise((resolve) => {
        let ws;
        try {
          ws = new WebSocket(url, protocols);
        } catch (error) {
          resolve({ ok: false, errored: true, message: `${error.name}: ${error.message}`, close: null });
          return;
        }
        if (binaryType) ws.binaryType = binaryType;
        else ws.binaryType = 'arraybuffer';
        let errored = false;
        let order = Promise.resolve();
        conns.set(conn, ws);
        ws.addEventListener('open', () => resolve({ ok: true, protocol: ws.protocol, extensions: ws.extensions }));
        ws.addEventListener('error', () => { errored = true; });
        ws.addEventListener('message', (event) => {
          order = order.then(async () => window.__interopReport({ conn, event: 'message', ...(await describe(event.data)) }));
        });
        ws.addEventListener('close', (event) => {
          const close = { code: event.code, reason: event.reason, wasClean: event.wasClean };
          order = order.then(() => window.__interopReport({ conn, event: 'closed', ...close }));
          conns.delete(conn);
          resolve({ ok: false, errored, message: errored ? 'error event' : '', close });
        });
      });
    },
    send(conn, specs) {
      for (const spec of specs) {
        const data = build(spec);
        conns.get(conn).send(spec.via === 'blob' ? new Blob([data]) : data);
      }
    },
    close(conn, code, reason) {
      const ws = conns.get(conn);
      if (code === null) ws.close();
      else ws.close(code, reason);
    },
    dispose(conn) { conns.get(conn)?.close(); },
  };
})();
