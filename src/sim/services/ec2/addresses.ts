// EC2 addresses actions (to be filled in).

import type { Handler } from '../framework.js';

export const addressesActions: Record<string, Handler> = {};
