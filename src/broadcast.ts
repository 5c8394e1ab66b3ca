// Kept for the benchmark's import path; the implementation lives in api/broadcast.ts.
export { broadcast, type BroadcastOptions } from './api/broadcast.js';
