// Every simulated service. Adding a service = a ServiceDef here; adding an action = a handler in its table.

import type { AnyServiceDef } from './framework.js';
import { ec2Service } from './ec2/index.js';
import { autoscalingService } from './autoscaling/index.js';
import { elbv2Service } from './elbv2/index.js';
import { elbService } from './elb/index.js';
import { iamService } from './iam/index.js';
import { stsService } from './sts/index.js';
import { s3Service } from './s3/index.js';
import { snsService } from './sns/index.js';

export const allServices: AnyServiceDef[] = [
  ec2Service,
  autoscalingService,
  elbv2Service,
  elbService,
  iamService,
  stsService,
  s3Service,
  snsService,
];
