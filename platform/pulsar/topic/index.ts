export { TopicName } from './topic-name.ts';
