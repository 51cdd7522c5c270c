export { ChunkMessageId, MessageId } from './message-id.ts';
export type { Message, OutgoingMessage } from './message.ts';
