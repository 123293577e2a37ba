/**
 * One Moleculer 0.15 node of the `moleculer` stack. Nodes talk over Moleculer's TCP transporter
 * with UDP discovery off and the peers listed statically (`BENCH_TCP_URLS`, `host:port/nodeID`),
 * because multicast does not reach across this loopback-only setup. Metrics, tracing and
 * validation stay at their defaults (off, off, fastest-validator with no schemas to check); the
 * logger is at `warn`, as every stack in the benchmark is.
 */
import moleculer from 'moleculer';

/** Builds a broker for `nodeID`, listening for its peers on BENCH_TCP_PORT. */
export function createBroker(nodeID: string, env: NodeJS.ProcessEnv = process.env): moleculer.ServiceBroker {
  const port = Number(env.BENCH_TCP_PORT);
  if (!Number.isInteger(port) || port <= 0) {
    throw new TypeError(`BENCH_TCP_PORT must be a port number, got ${env.BENCH_TCP_PORT}`);
  }
  return new moleculer.ServiceBroker({
    nodeID,
    logger: { type: 'Console', options: { level: 'warn' } },
    transporter: {
      type: 'TCP',
      options: { udpDiscovery: false, port, urls: env.BENCH_TCP_URLS ?? '', useHostname: false },
    },
  });
}

/** Stops the broker on SIGTERM and exits. */
export function stopOnSigterm(broker: moleculer.ServiceBroker): void {
  process.once('SIGTERM', () => broker.stop().then(() => process.exit(0)));
}
