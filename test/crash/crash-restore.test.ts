// The restore crash matrix (test/crash/matrix.ts).

import { restoreMatrix } from './matrix.js';

restoreMatrix();
