// EC2 regions actions (to be filled in).

import type { Handler } from '../framework.js';

export const regionsActions: Record<string, Handler> = {};
