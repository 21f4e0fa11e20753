// A shared module worker.
import { reply } from './worker-main.mjs';

self.onconnect = (e) => {
  const [port] = e.ports;
  port.onmessage = reply(port);
  port.start();
};
