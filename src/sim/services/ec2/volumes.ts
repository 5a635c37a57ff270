// EC2 volumes actions (to be filled in).

import type { Handler } from '../framework.js';

export const volumesActions: Record<string, Handler> = {};
