// EC2 internetGateways actions (to be filled in).

import type { Handler } from '../framework.js';

export const internetGatewaysActions: Record<string, Handler> = {};
