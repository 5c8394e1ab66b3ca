// A CPU profile of a window of a benchmark process (node:inspector), for `--profile`.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

export async function startProfile() {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return {
    async stop(file) {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      writeFileSync(file, JSON.stringify(profile));
    },
  };
}
