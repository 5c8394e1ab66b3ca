// Peer presence checks. A missing external peer fails under CI=true (with the
// install command) and is reported as skipped otherwise.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
export const PYTHON = '/usr/bin/python3';
export const CHROMIUM = '/usr/bin/chromium';
export const INSTALL_HINT = 'install the interop peers with: apt-get install chromium python3-websockets';

function resolves(name) {
  try { require.resolve(name); return true; } catch { return false; }
}

export const checks = {
  chromium() {
    if (!existsSync(CHROMIUM)) return `Chromium not found at ${CHROMIUM}; ${INSTALL_HINT}`;
    if (!resolves('playwright-core')) return 'playwright-core is missing; run npm ci';
    return null;
  },
  python() {
    const r = spawnSync(PYTHON, ['-c', 'import websockets'], { encoding: 'utf8' });
    if (r.error || r.status !== 0) return `${PYTHON} cannot import websockets; ${INSTALL_HINT}`;
    return null;
  },
  ws() { return resolves('ws') ? null : 'the ws dev dependency is missing; run npm ci'; },
  undici() { return resolves('undici') ? null : 'the undici dev dependency is missing; run npm ci'; },
};

export const inCI = () => process.env.CI === 'true';
