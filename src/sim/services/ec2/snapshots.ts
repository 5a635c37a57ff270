// EC2 snapshots actions (to be filled in).

import type { Handler } from '../framework.js';

export const snapshotsActions: Record<string, Handler> = {};
