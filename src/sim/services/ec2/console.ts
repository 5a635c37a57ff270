// EC2 console actions (to be filled in).

import type { Handler } from '../framework.js';

export const consoleActions: Record<string, Handler> = {};
