// EC2 instanceAttributes actions (to be filled in).

import type { Handler } from '../framework.js';

export const instanceAttributesActions: Record<string, Handler> = {};
