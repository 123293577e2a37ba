#!/usr/bin/env node
/** The `weft` command: dispatches to a subcommand and exits with its code. */
import { runStart, weftVersion } from './start.ts';

const USAGE = `Usage: weft <command> [options]

Commands:
  start     run every service instance of a topology (the shop by default) and supervise them

Options:
  -h, --help     show this help (weft <command> --help for a command's options)
  -v, --version  show weft's version
`;

const [command, ...rest] = process.argv.slice(2);
let code: number;
switch (command) {
  case undefined:
  case 'help':
  case '-h':
  case '--help':
    process.stdout.write(USAGE);
    code = command === undefined ? 2 : 0;
    break;
  case '-v':
  case '--version':
    process.stdout.write(`${weftVersion()}\n`);
    code = 0;
    break;
  case 'start':
    code = await runStart(rest);
    break;
  default:
    process.stderr.write(`weft: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
    code = 2;
}
process.exitCode = code;
// Every handle should be closed by now; should one linger, it must not keep the command alive.
setTimeout(() => process.exit(code), 1_000).unref();
