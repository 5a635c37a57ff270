// The simulated EC2 service: every action table, merged. Each area lives in its own file.

import type { Handler, ServiceDef } from '../framework.js';
import { instanceActions } from './instances.js';
import { networkInterfaceActions } from './networkInterfaces.js';

function merge(...tables: Record<string, Handler>[]): Record<string, Handler> {
  const out: Record<string, Handler> = {};
  for (const t of tables) {
    for (const [k, h] of Object.entries(t)) {
      if (out[k]) throw new Error(`EC2 action ${k} is defined twice`);
      out[k] = h;
    }
  }
  return out;
}

export const ec2Service: ServiceDef = {
  signingName: 'ec2',
  apiVersion: '2016-11-15',
  protocol: 'ec2',
  xmlns: 'http://ec2.amazonaws.com/doc/2016-11-15/',
  iamPrefix: 'ec2',
  actions: merge(instanceActions, networkInterfaceActions),
};
