// The simulated EC2 service: every action table, merged. Each area lives in its own file.

import type { Handler, ServiceDef } from '../framework.js';
import { instanceActions } from './instances.js';
import { networkInterfaceActions } from './networkInterfaces.js';
import { tagActions } from './tags.js';
import { vpcsActions } from './vpcs.js';
import { securityGroupsActions } from './securityGroups.js';
import { regionsActions } from './regions.js';
import { instanceAttributesActions } from './instanceAttributes.js';
import { iamAssociationsActions } from './iamAssociations.js';
import { addressesActions } from './addresses.js';
import { volumesActions } from './volumes.js';
import { snapshotsActions } from './snapshots.js';
import { imagesActions } from './images.js';
import { consoleActions } from './console.js';
import { networkAclsActions } from './networkAcls.js';
import { routeTablesActions } from './routeTables.js';
import { internetGatewaysActions } from './internetGateways.js';

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
  actions: merge(
    instanceActions,
    networkInterfaceActions,
    tagActions,
    vpcsActions,
    securityGroupsActions,
    regionsActions,
    instanceAttributesActions,
    iamAssociationsActions,
    addressesActions,
    volumesActions,
    snapshotsActions,
    imagesActions,
    consoleActions,
    networkAclsActions,
    routeTablesActions,
    internetGatewaysActions,
  ),
};
