// Every simulated service. Adding a service = a ServiceDef here; adding an action = a handler in its table.

import type { ServiceDef } from './framework.js';
import { ec2Service } from './ec2/index.js';
import { autoscalingService } from './autoscaling/index.js';
import { elbv2Service } from './elbv2/index.js';
import { elbService } from './elb/index.js';
import { iamService } from './iam/index.js';
import { stsService } from './sts/index.js';

export const allServices: ServiceDef[] = [
  ec2Service,
  autoscalingService,
  elbv2Service,
  elbService,
  iamService,
  stsService,
];
