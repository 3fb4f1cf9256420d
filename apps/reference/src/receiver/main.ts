/**
 * The embedded OTLP/HTTP receiver as its own process:
 *   node --import tsx src/receiver/main.ts --port 4318 --dir .telemetry/received
 * It prints one line when it listens (`listening http://127.0.0.1:<port> <dir>`) and stops on SIGINT /
 * SIGTERM. The end-to-end test stops and restarts it to simulate a collector outage.
 */
import { parseArgs } from 'node:util';
import { startReceiver } from './server.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4318' },
    host: { type: 'string', default: '127.0.0.1' },
    dir: { type: 'string', default: '.telemetry/received' },
  },
});
const receiver = await startReceiver({ port: Number(values.port), host: values.host, dir: values.dir });
process.stdout.write(`listening ${receiver.url} ${values.dir}\n`);
const stop = (): void => {
  receiver.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
