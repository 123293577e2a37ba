import { spawn } from 'node:child_process';
import type { LoadResult } from './types.ts';

/** Runs a load generator to its end and parses what it printed (stdout and stderr together). */
export function runLoadGenerator(
  command: string,
  args: readonly string[],
  parse: (output: string) => LoadResult,
): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.once('error', reject);
    child.once('close', (code) => {
      try {
        resolve(parse(out));
      } catch (error) {
        reject(new Error(`${command} exited ${code}`, { cause: error }));
      }
    });
  });
}
