// Case selection by patterns such as "1.*,7.3.*,6.5.12" ("*" matches the rest of an id).
import { ConformanceError } from './errors.js';
import type { CaseDef } from './types.js';

export function matchesPattern(id: string, pattern: string): boolean {
  const p = pattern.trim();
  if (p === '*' || p === '') return true;
  if (p.endsWith('.*')) return id.startsWith(p.slice(0, -1)) || id === p.slice(0, -2);
  if (p.endsWith('*')) return id.startsWith(p.slice(0, -1));
  return id === p;
}

export function parsePatterns(spec: string | string[] | undefined): string[] {
  if (spec === undefined) return [];
  const list = Array.isArray(spec) ? spec : [spec];
  return list.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
}

/** Keeps the cases matching any include pattern and no exclude pattern. */
export function selectCases(cases: CaseDef[], include: string[], exclude: string[] = []): CaseDef[] {
  const picked = cases.filter(
    (c) => (include.length === 0 || include.some((p) => matchesPattern(c.id, p))) && !exclude.some((p) => matchesPattern(c.id, p)),
  );
  if (picked.length === 0) {
    throw new ConformanceError('ERR_CONFORMANCE_NO_CASES', `no case matches --cases ${include.join(',')}; ids look like 1.1.1, 6.5.*, 7.*`);
  }
  return picked;
}
