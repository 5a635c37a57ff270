// EC2 securityGroups actions (to be filled in).

import type { Handler } from '../framework.js';

export const securityGroupsActions: Record<string, Handler> = {};
