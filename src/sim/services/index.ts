// Every simulated service. Adding a service = a ServiceDef here; adding an action = a handler in its table.

import type { ServiceDef } from './framework.js';
import { ec2Service } from './ec2/index.js';

export const allServices: ServiceDef[] = [ec2Service];
