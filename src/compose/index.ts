export { Batcher, type BatcherOptions, DEFAULT_MAX_BATCH_SIZE } from './batcher.ts';
export { PartialResult } from './partial.ts';
