/** Child process: one autocannon run whose requests a scenario picks at random; prints one result line. */
import autocannon from 'autocannon';
import type { AutocannonRun } from './autocannon.ts';
import { AUTOCANNON_MARKER } from './autocannon.ts';
import { scenarios } from './scenarios.ts';

const run = JSON.parse(process.argv[2]) as AutocannonRun;
const scenario = scenarios.find((s) => s.id === run.scenario);
if (!scenario) throw new Error(`unknown scenario ${run.scenario}`);

const result = await autocannon({
  url: run.baseUrl,
  connections: run.connections,
  duration: run.durationS,
  headers: run.headers,
  requests: [
    {
      setupRequest: (req: Record<string, unknown>) => ({ ...req, path: scenario.pick(Math.random).path }),
    },
  ],
});
const { duration, requests, latency, non2xx, errors, timeouts } = result;
process.stdout.write(
  `${AUTOCANNON_MARKER}${JSON.stringify({ duration, requests, latency, non2xx, errors, timeouts })}\n`,
);
