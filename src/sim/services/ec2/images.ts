// EC2 images actions (to be filled in).

import type { Handler } from '../framework.js';

export const imagesActions: Record<string, Handler> = {};
