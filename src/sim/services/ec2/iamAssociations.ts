// EC2 iamAssociations actions (to be filled in).

import type { Handler } from '../framework.js';

export const iamAssociationsActions: Record<string, Handler> = {};
