// EC2 routeTables actions (to be filled in).

import type { Handler } from '../framework.js';

export const routeTablesActions: Record<string, Handler> = {};
