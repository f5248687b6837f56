export { detectFormat, prepareMessage, SQS_SOURCE_MODES, type PreparedMessage, type SqsSourceMode } from './detect';
export {
  queueName,
  SqsIntake,
  type Redrive,
  type SqsIntakeOptions,
  type SqsMessage,
  type SqsMessageHandler,
  type SqsQueueConfig,
  type SqsQueueStatus,
} from './sqs-intake';
export { SqsAdmin, type ReceivedMessage, type SqsAdminOptions } from './admin';
export { startFauxqsProcess, type FauxqsProcess } from './testing/fauxqs';
