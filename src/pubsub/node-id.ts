import { randomBytes } from 'node:crypto';

/** A name for one node on a bus, unique enough to recognise its own publishes. */
export function newNodeId(): string {
  return `${process.pid.toString(36)}-${randomBytes(6).toString('base64url')}`;
}
