// EC2 calls on the instance itself: its profile association, metadata options and the attributes that preserve
// evidence (termination protection, shutdown behaviour, DeleteOnTermination). Every mutating call can be a DryRun.

import {
  DescribeIamInstanceProfileAssociationsCommand,
  DisassociateIamInstanceProfileCommand,
  AssociateIamInstanceProfileCommand,
  ModifyInstanceMetadataOptionsCommand,
  DescribeInstanceAttributeCommand,
  ModifyInstanceAttributeCommand,
  type InstanceAttributeName,
} from '@aws-sdk/client-ec2';
import type { AwsClients } from './clients.js';
import type { Gateway } from './gateway.js';
import type { IamFacts } from '../core/playbook-facts.js';

/** The live (associating / associated) profile association of each instance. */
export async function readAssociations(
  clients: AwsClients,
  ids: string[],
): Promise<Record<string, IamFacts['association']>> {
  const out: Record<string, IamFacts['association']> = {};
  // Filter values in chunks of 200 (EC2's limit), all chunks at once, pages followed.
  const parts: string[][] = [];
  for (let i = 0; i < ids.length; i += 200) parts.push(ids.slice(i, i + 200));
  await Promise.all(
    parts.map(async (part) => {
      let token: string | undefined;
      do {
        const r = await clients.ec2.send(
          new DescribeIamInstanceProfileAssociationsCommand({
            Filters: [{ Name: 'instance-id', Values: part }],
            NextToken: token,
          }),
        );
        for (const a of r.IamInstanceProfileAssociations ?? []) {
          if (a.State !== 'associated' && a.State !== 'associating') continue;
          out[a.InstanceId!] = {
            associationId: a.AssociationId!,
            profileArn: a.IamInstanceProfile?.Arn ?? '',
            state: a.State,
          };
        }
        token = r.NextToken;
      } while (token);
    }),
  );
  return out;
}

export async function readAttribute(
  clients: AwsClients,
  instanceId: string,
  attribute: InstanceAttributeName,
): Promise<{ bool?: boolean; value?: string }> {
  const r = await clients.ec2.send(
    new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: attribute }),
  );
  if (attribute === 'disableApiTermination') return { bool: r.DisableApiTermination?.Value };
  if (attribute === 'instanceInitiatedShutdownBehavior') return { value: r.InstanceInitiatedShutdownBehavior?.Value };
  return {};
}

/** DisassociateIamInstanceProfile has no DryRun parameter. */
export async function disassociateProfile(gw: Gateway, associationId: string): Promise<void> {
  await gw.call('ec2:DisassociateIamInstanceProfile', false, () =>
    gw.clients.ec2.send(new DisassociateIamInstanceProfileCommand({ AssociationId: associationId })),
  );
}

export async function associateProfile(gw: Gateway, instanceId: string, profileArn: string): Promise<void> {
  await gw.call('ec2:AssociateIamInstanceProfile', false, () =>
    gw.clients.ec2.send(
      new AssociateIamInstanceProfileCommand({ InstanceId: instanceId, IamInstanceProfile: { Arn: profileArn } }),
    ),
  );
}

export async function setMetadataEndpoint(
  gw: Gateway,
  instanceId: string,
  endpoint: 'enabled' | 'disabled',
  dryRun = false,
): Promise<void> {
  await gw.call('ec2:ModifyInstanceMetadataOptions', dryRun, () =>
    gw.clients.ec2.send(
      new ModifyInstanceMetadataOptionsCommand({
        InstanceId: instanceId,
        HttpEndpoint: endpoint,
        DryRun: dryRun || undefined,
      }),
    ),
  );
}

export async function setTerminationProtection(
  gw: Gateway,
  instanceId: string,
  on: boolean,
  dryRun = false,
): Promise<void> {
  await gw.call('ec2:ModifyInstanceAttribute', dryRun, () =>
    gw.clients.ec2.send(
      new ModifyInstanceAttributeCommand({
        InstanceId: instanceId,
        DisableApiTermination: { Value: on },
        DryRun: dryRun || undefined,
      }),
    ),
  );
}

export async function setShutdownBehaviour(
  gw: Gateway,
  instanceId: string,
  behaviour: string,
  dryRun = false,
): Promise<void> {
  await gw.call('ec2:ModifyInstanceAttribute', dryRun, () =>
    gw.clients.ec2.send(
      new ModifyInstanceAttributeCommand({
        InstanceId: instanceId,
        InstanceInitiatedShutdownBehavior: { Value: behaviour },
        DryRun: dryRun || undefined,
      }),
    ),
  );
}

/** One call for every listed device (a single attribute: the block device mapping). */
export async function setDeleteOnTermination(
  gw: Gateway,
  instanceId: string,
  devices: { deviceName: string; deleteOnTermination: boolean }[],
  dryRun = false,
): Promise<void> {
  await gw.call('ec2:ModifyInstanceAttribute', dryRun, () =>
    gw.clients.ec2.send(
      new ModifyInstanceAttributeCommand({
        InstanceId: instanceId,
        DryRun: dryRun || undefined,
        BlockDeviceMappings: devices.map((d) => ({
          DeviceName: d.deviceName,
          Ebs: { DeleteOnTermination: d.deleteOnTermination },
        })),
      }),
    ),
  );
}
