import { PubSubErrorCode } from './pubsub-errors.js';

/** Longest topic accepted by default, in UTF-8 bytes (option `maxTopicLength`). */
export const DEFAULT_MAX_TOPIC_LENGTH = 1024;

/** Throws a coded TypeError unless `topic` is a non-empty string of at most `maxBytes` UTF-8 bytes. */
export function checkTopic(topic: unknown, maxBytes: number): asserts topic is string {
  if (typeof topic !== 'string' || topic.length === 0) {
    throw topicError(`A topic is a non-empty string, got ${topic === '' ? 'an empty string' : typeof topic}`);
  }
  if (topic.length > maxBytes || Buffer.byteLength(topic) > maxBytes) {
    throw topicError(`The topic is ${Buffer.byteLength(topic)} bytes long in UTF-8: the limit is ${maxBytes} (option maxTopicLength)`);
  }
}

function topicError(message: string): TypeError & { code: string } {
  return Object.assign(new TypeError(message), { code: PubSubErrorCode.InvalidTopic });
}
