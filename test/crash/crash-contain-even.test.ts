// The contain crash matrix at even k (test/crash/matrix.ts).

import { containMatrix } from './matrix.js';

containMatrix(2, 2);
