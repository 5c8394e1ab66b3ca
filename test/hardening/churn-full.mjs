// The full churn run: `npm run hardening:full` (10,000 connections by default,
// or CHURN_TOTAL). Prints the report and exits non-zero on a broken invariant.
import { runChurn } from './churn.mjs';

const total = Number(process.env.CHURN_TOTAL ?? 10_000);
const report = await runChurn({ total, concurrency: 64, seed: Number(process.env.CHURN_SEED ?? 1) });
console.log(JSON.stringify(report, null, 2));
const leftover = Object.entries(report.resources).filter(([k, n]) => n > (report.baseline[k] ?? 0));
const ok = report.notOnce === 0 && report.serverConnections === total && leftover.length === 0 && report.heapGrowth < 16 * 1024 * 1024;
console.log(ok ? 'churn: OK' : 'churn: FAILED');
process.exit(ok ? 0 : 1);
