// `serve --workers N` and `--redis URL`: which bus a server uses, and the cluster primary.
import cluster from 'node:cluster';
import type { PubSubBus } from '../index.js';
import { ExitCode } from './exit-codes.js';
import type { CliIo } from './io.js';

/** The topic every client joins in --broadcast mode, so a broadcast reaches every worker and node. */
export const BROADCAST_TOPIC = 'broadcast';

/** What an IPC message from the primary to a worker looks like when it is time to stop. */
export const STOP_MESSAGE = 'socketeer-serve-stop';

/** The bus for this process: Redis when --redis is given, cluster IPC in a worker, else none. */
export async function serveBus(redisUrl: string | undefined, io: CliIo): Promise<PubSubBus | undefined | Error> {
  if (redisUrl !== undefined) {
    try {
      // Through the package's own export (a variable, so the CommonJS build does not compile the ESM entry in).
      const entry = 'socketeer/redis';
      const { redisPubSub } = (await import(entry)) as { redisPubSub(options: { url: string }): PubSubBus };
      return redisPubSub({ url: redisUrl });
    } catch (error) {
      io.stderr.write(`socketeer serve: --redis: ${(error as Error).message}\n`);
      return error as Error;
    }
  }
  if (cluster.isWorker) {
    const { clusterPubSub } = await import('../cluster.js');
    return clusterPubSub();
  }
  return undefined;
}

/**
 * The primary of `serve --workers N`: it relays topics between workers (unless
 * they share Redis), forks them on one port, passes SIGINT/SIGTERM on as a stop
 * message, and exits once every worker has: 0 if all exited 0.
 */
export async function runPrimary(workers: number, useRedis: boolean, io: CliIo): Promise<number> {
  if (!useRedis) {
    const { clusterPubSub } = await import('../cluster.js');
    clusterPubSub();
  }
  let failed = false;
  let alive = workers;
  const done = new Promise<void>((resolve) => {
    cluster.on('exit', (worker, code, signal) => {
      if (code !== 0) {
        failed = true;
        io.stderr.write(`socketeer serve: worker ${worker.id} ${signal !== null ? `killed by ${signal}` : `exited with status ${code}`}\n`);
      }
      if (--alive === 0) resolve();
    });
  });
  for (let i = 0; i < workers; i++) cluster.fork();
  const stop = (signal: string) => {
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (worker?.isConnected()) worker.send({ socketeer: STOP_MESSAGE, signal }, undefined, () => undefined);
    }
  };
  const onInt = () => stop('SIGINT');
  const onTerm = () => stop('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  await done;
  process.removeListener('SIGINT', onInt);
  process.removeListener('SIGTERM', onTerm);
  return failed ? ExitCode.Failure : ExitCode.Ok;
}
