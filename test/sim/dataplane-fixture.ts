// Shared by the data-plane and agreement tests: the demo scenario plus the entities a containment uses (the
// article's "Step 01" all-open group and "Step 02" empty group, an isolation NACL, an isolation route table), and
// helpers that make the changes through the real SDK and read flows through the control API.

import { readFileSync } from 'node:fs';
import {
  DescribeNetworkAclsCommand,
  DescribeRouteTablesCommand,
  ModifyNetworkInterfaceAttributeCommand,
  ReplaceNetworkAclAssociationCommand,
  ReplaceRouteTableAssociationCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { control } from '../helpers/control.js';
import type { FlowView } from '../../src/sim/dataplane/index.js';

export const WEB1 = 'i-0c0ffee0000000001';
export const ENI1 = 'eni-0c0ffee0000000001';
export const ENI2 = 'eni-0c0ffee0000000002';
export const WEB_A = 'subnet-0a1b2c3d4e5f60001';
export const MGMT_A = 'subnet-0a1b2c3d4e5f60003';
export const SG_WEB = 'sg-0a1b2c3d4e5f60001';
export const SG_ADMIN = 'sg-0a1b2c3d4e5f60002';
export const SG_MGMT = 'sg-0a1b2c3d4e5f60003';
export const SG_OPEN = 'sg-0c0ffee00000000f1';
export const SG_EMPTY = 'sg-0c0ffee00000000f2';
export const ACL_ISOLATION = 'acl-0c0ffee00000000f1';
export const RTB_ISOLATION = 'rtb-0c0ffee00000000f1';

type Json = Record<string, unknown>;

/** The demo scenario with the isolation entities; `flows` replaces the demo's flows when given. */
export function containmentScenario(
  o: { flows?: Json[]; dataplane?: Json; mutate?: (region: Json, vpc: Json) => void } = {},
): Json {
  const s = JSON.parse(readFileSync(new URL('../../src/sim/scenarios/demo.json', import.meta.url), 'utf8')) as Json;
  const region = ((s.accounts as Json[])[0]!.regions as Json[])[0]!;
  const vpc = (region.vpcs as Json[])[0]!;
  (vpc.securityGroups as Json[]).push(
    {
      id: SG_OPEN,
      name: 'cordon-step-01',
      description: 'all traffic in and out: makes flows untracked',
      ingress: [
        { protocol: 'all', cidr: '0.0.0.0/0' },
        { protocol: 'all', cidr: '::/0' },
      ],
      egress: [
        { protocol: 'all', cidr: '0.0.0.0/0' },
        { protocol: 'all', cidr: '::/0' },
      ],
    },
    { id: SG_EMPTY, name: 'cordon-step-02', description: 'no rules', ingress: [], egress: [] },
  );
  vpc.networkAcls = [{ id: ACL_ISOLATION, name: 'isolation', entries: [] }];
  (vpc.routeTables as Json[]).push({ id: RTB_ISOLATION, name: 'isolation', routes: [] });
  if (o.flows) region.flows = o.flows;
  if (o.dataplane) s.dataplane = o.dataplane;
  o.mutate?.(region, vpc);
  return s;
}

export async function setGroups(ec2: EC2Client, eni: string, groups: string[]): Promise<void> {
  await ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: eni, Groups: groups }));
}

/** Associates `aclId` with the subnet (through its current association); returns the previous NACL id. */
export async function setNacl(ec2: EC2Client, subnetId: string, aclId: string): Promise<string> {
  const r = await ec2.send(
    new DescribeNetworkAclsCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnetId] }] }),
  );
  const acl = r.NetworkAcls![0]!;
  const assoc = acl.Associations!.find((a) => a.SubnetId === subnetId)!;
  await ec2.send(
    new ReplaceNetworkAclAssociationCommand({ AssociationId: assoc.NetworkAclAssociationId!, NetworkAclId: aclId }),
  );
  return acl.NetworkAclId!;
}

/** Associates `rtbId` with the subnet (it must have an explicit association); returns the previous table id. */
export async function setRouteTable(ec2: EC2Client, subnetId: string, rtbId: string): Promise<string> {
  const r = await ec2.send(
    new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnetId] }] }),
  );
  const rtb = r.RouteTables![0]!;
  const assoc = rtb.Associations!.find((a) => a.SubnetId === subnetId)!;
  await ec2.send(
    new ReplaceRouteTableAssociationCommand({ AssociationId: assoc.RouteTableAssociationId!, RouteTableId: rtbId }),
  );
  return rtb.RouteTableId!;
}

export async function flows(endpoint: string): Promise<Record<string, FlowView>> {
  const r = await control<{ flows: FlowView[] }>(endpoint, 'GET', '/_sim/flows');
  if (r.status !== 200) throw new Error(`GET /_sim/flows answered ${r.status}: ${JSON.stringify(r.body)}`);
  return Object.fromEntries(r.body.flows.map((f) => [f.id, f]));
}

export async function openFlow(endpoint: string, spec: Json): Promise<FlowView> {
  const r = await control<FlowView>(endpoint, 'POST', '/_sim/flows', spec);
  if (r.status !== 200) throw new Error(`POST /_sim/flows answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

export async function advance(endpoint: string, seconds: number): Promise<void> {
  const r = await control(endpoint, 'POST', '/_sim/clock/advance', { seconds });
  if (r.status !== 200) throw new Error(`clock advance answered ${r.status}`);
}
