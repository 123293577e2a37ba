// Run by shutdown.test.ts as a child process: a service that closes on SIGTERM.
import { defineService } from '../../src/service/index.ts';

const service = defineService({ name: 'child', logger: false, shutdownTimeoutMs: 2_000 });
service.app.get('/slow', async () => {
  await new Promise((resolve) => setTimeout(resolve, 150));
  return { ok: true };
});
service.onClose(() => {
  process.stdout.write('store closed\n');
});
service.closeOnSignals();
const { url } = await service.listen({ port: 0 });
process.stdout.write(`listening ${url}\n`);
