import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { createLogger } from '../../src/observe/index.ts';

/** A logger writing JSON lines into `lines`, for asserting what a service logs. */
export function capturingLogger(level = 'info'): {
  logger: Logger;
  lines: Record<string, unknown>[];
  text: () => string;
} {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) {
        if (line === '') continue;
        raw.push(line);
        lines.push(JSON.parse(line));
      }
      done();
    },
  });
  const logger = createLogger({ name: 'test', level, destination: stream });
  return { logger, lines, text: () => raw.join('\n') };
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
