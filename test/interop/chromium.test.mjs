import { defineInteropTests } from './lib/run-matrix.mjs';

defineInteropTests('chromium');
