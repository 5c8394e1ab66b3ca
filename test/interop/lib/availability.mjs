// Peer presence checks. A missing external peer fails under CI=true (with the
// install command) and is reported as skipped otherwise.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// The env overrides exist to try the missing-peer path (INTEROP_PYTHON=/nonexistent).
export const PYTHON = process.env.INTEROP_PYTHON || '/usr/bin/python3';
export const CHROMIUM = process.env.INTEROP_CHROMIUM || '/usr/bin/chromium';

function resolves(name) {
  try { require.resolve(name); return true; } catch { return false; }
}

export const checks = {
  chromium() {
    if (!existsSync(CHROMIUM)) return `Chromium not found at ${CHROMIUM}; install it with: apt-get install chromium`;
    if (!resolves('playwright-core')) return 'playwright-core is missing; run npm ci';
    return null;
  },
  python() {
    const r = spawnSync(PYTHON, ['-c', 'import websockets'], { encoding: 'utf8' });
    if (r.error || r.status !== 0) return `${PYTHON} cannot import websockets; install it with: apt-get install python3-websockets`;
    return null;
  },
  ws() { return resolves('ws') ? null : 'the ws dev dependency is missing; run npm ci'; },
  undici() { return resolves('undici') ? null : 'the undici dev dependency is missing; run npm ci'; },
};

export const inCI = () => process.env.CI === 'true';
