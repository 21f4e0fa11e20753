// Used only when js/emulator/cli.mjs is not there: starts the emulator on a free port and prints
// its URL and credentials as one JSON line, like the CLI's first line.
import { startEmulator } from '../../js/emulator/index.mjs';

const emulator = await startEmulator({ port: 0 });
process.stdout.write(`${JSON.stringify({ url: emulator.url, clientId: emulator.clientId, clientSecret: emulator.clientSecret })}\n`);
process.on('SIGTERM', () => emulator.close().then(() => process.exit(0)));
