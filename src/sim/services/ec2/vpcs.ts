// EC2 vpcs actions (to be filled in).

import type { Handler } from '../framework.js';

export const vpcsActions: Record<string, Handler> = {};
