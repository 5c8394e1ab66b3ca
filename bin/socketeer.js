#!/usr/bin/env node
// The `socketeer` command. The code lives in dist/ (built from src/cli by `npm run build`).
try {
  await import('../dist/esm/cli/main.js');
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist')) {
    process.stderr.write('socketeer: the build is missing (dist/): run "npm run build" in the package first\n');
    process.exitCode = 1;
  } else {
    throw error;
  }
}
