// A dedicated module worker.
import { reply } from './worker-main.mjs';

self.onmessage = reply(self);
