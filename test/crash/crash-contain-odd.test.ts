// The contain crash matrix at odd k (test/crash/matrix.ts).

import { containMatrix } from './matrix.js';

containMatrix(1, 2);
