// EC2 networkAcls actions (to be filled in).

import type { Handler } from '../framework.js';

export const networkAclsActions: Record<string, Handler> = {};
