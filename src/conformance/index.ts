// Programmatic API of the conformance suite (also behind `socketeer conformance`).
export { runServerSuite, selectedCases, parseTarget } from './server-suite.js';
export type { ServerSuiteOptions, SuiteSelection } from './server-suite.js';
export { startClientSuite } from './client-suite.js';
export type { ClientSuite, ClientSuiteOptions } from './client-suite.js';
export { buildCases } from './cases/index.js';
export { isFailing, summaryTable, countVerdicts, type VerdictPaint } from './summary.js';
export { writeReportFiles, DEFAULT_OUT_DIR } from './report-files.js';
export { renderHtml } from './report-html.js';
export { ConformanceError } from './errors.js';
export { DEFAULT_TIMEOUTS } from './run-case.js';
export { utf8FailIndex } from './utf8.js';
export type * from './types.js';
