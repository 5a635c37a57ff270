// `cordon audit`: clean after a containment, then each drift it lists is made in the simulated account (as an attacker
// inside the account would) and found, with exit 5 and JSON for a scheduled job. Read only: the audit changes nothing.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateNetworkAclCommand,
  CreateNetworkAclEntryCommand,
  CreateNetworkInterfaceCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateTagsCommand,
  ModifyNetworkInterfaceAttributeCommand,
} from '@aws-sdk/client-ec2';
import { startHarness, type SimHarness } from '../helpers/sim.js';
import { cordonClients, tempStateDir, mutations } from '../helpers/cordon.js';
import { runCli } from '../helpers/cli.js';
import { WEB1, BASTION } from '../helpers/playbook.js';
import { contain } from '../../src/engine/contain.js';
import { TAG, ROLE_EMPTY, ROLE_OPEN } from '../../src/core/tags.js';
import { ROLE_NACL, ROLE_ROUTE_TABLE } from '../../src/core/subnet-layers.js';

const VPC = 'vpc-0a1b2c3d4e5f60001';
const WEB2_ENI = 'eni-0c0ffee0000000003';

function roleGroup(h: SimHarness, role: string): string {
  const g = [...h.sim.world.region('111122223333', 'us-east-1').ec2.securityGroups.values()].find(
    (x) => x.vpcId === VPC && x.tags[TAG.role] === role,
  );
  assert.ok(g, `the ${role} group exists`);
  return g.groupId;
}

interface AuditDoc {
  ok: boolean;
  regions: { region: string; error?: string }[];
  findings: { kind: string; resource: string; instanceId?: string; detail: string; remedy: string }[];
}

describe('cordon audit', () => {
  let h: SimHarness;
  before(async () => {
    h = await startHarness('demo');
  });
  after(async () => h.close());

  test('clean after a containment; then finds each drift it lists, and changes nothing', async () => {
    const clients = cordonClients(h.sim);
    const r = await contain({ clients, instanceIds: [WEB1], stateDir: tempStateDir(), playbook: { asg: 'skip' } });
    assert.equal(r.instances[0]!.status, 'contained');
    const args = ['audit', '--endpoint-url', h.endpoint, '--region', 'us-east-1'];
    const clean = await runCli(args);
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    assert.match(clean.stdout, /nothing found in us-east-1/);

    const web2Eni = h.sim.world.region('111122223333', 'us-east-1').ec2.networkInterfaces.get(WEB2_ENI);
    assert.ok(web2Eni, 'web-2 has its ENI');
    const open = roleGroup(h, ROLE_OPEN);
    const empty = roleGroup(h, ROLE_EMPTY);
    // 1. An ENI put on the all-open step-1 group.
    await h.ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: WEB2_ENI, Groups: [open] }));
    // 2. A rule added to the empty group: the group is tampered, and web-1 (tagged contained) is not isolated.
    await h.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: empty,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    );
    // 3. A run left half-way.
    await h.ec2.send(
      new CreateTagsCommand({
        Resources: [BASTION],
        Tags: [
          { Key: TAG.status, Value: 'containing' },
          { Key: TAG.incident, Value: 'ir-halfway' },
        ],
      }),
    );
    // 4. An ENI (attached to nothing) on an isolation group with no incident.
    const loose = await h.ec2.send(
      new CreateNetworkInterfaceCommand({ SubnetId: 'subnet-0a1b2c3d4e5f60001', Groups: [empty] }),
    );
    // 5. A look-alike isolation NACL that allows everything.
    const nacl = await h.ec2.send(
      new CreateNetworkAclCommand({
        VpcId: VPC,
        TagSpecifications: [{ ResourceType: 'network-acl', Tags: [{ Key: TAG.role, Value: ROLE_NACL }] }],
      }),
    );
    await h.ec2.send(
      new CreateNetworkAclEntryCommand({
        NetworkAclId: nacl.NetworkAcl!.NetworkAclId,
        RuleNumber: 1,
        Protocol: '-1',
        RuleAction: 'allow',
        Egress: false,
        CidrBlock: '0.0.0.0/0',
      }),
    );
    // 6. An isolation route table with a way out.
    const rtb = await h.ec2.send(
      new CreateRouteTableCommand({
        VpcId: VPC,
        TagSpecifications: [{ ResourceType: 'route-table', Tags: [{ Key: TAG.role, Value: ROLE_ROUTE_TABLE }] }],
      }),
    );
    await h.ec2.send(
      new CreateRouteCommand({
        RouteTableId: rtb.RouteTable!.RouteTableId,
        DestinationCidrBlock: '0.0.0.0/0',
        GatewayId: 'igw-0a1b2c3d4e5f60001',
      }),
    );

    const seq = h.sim.world.calls.at(-1)!.seq;
    const res = await runCli([...args, '--output', 'json']);
    assert.equal(res.code, 5, res.stderr);
    const doc = JSON.parse(res.stdout) as AuditDoc;
    assert.equal(doc.ok, false);
    const found = (kind: string) => doc.findings.filter((f) => f.kind === kind).map((f) => f.resource);
    assert.deepEqual(found('on-open-group'), [WEB2_ENI]);
    assert.deepEqual(found('tampered-isolation-group'), [empty]);
    assert.deepEqual(found('contained-not-isolated'), [WEB1]);
    assert.deepEqual(found('half-way'), [BASTION]);
    assert.deepEqual(found('isolated-without-incident'), [loose.NetworkInterface!.NetworkInterfaceId]);
    assert.deepEqual(found('tampered-nacl'), [nacl.NetworkAcl!.NetworkAclId]);
    assert.deepEqual(found('tampered-route-table'), [rtb.RouteTable!.RouteTableId]);
    assert.equal(doc.findings[0]!.kind, 'on-open-group', 'what leaves something exposed comes first');
    assert.ok(
      doc.findings.every((f) => f.remedy.length > 10),
      'every finding says what to do',
    );
    assert.deepEqual(mutations(h.sim, seq), [], 'the audit changed nothing');

    // Text output for a person; --all-regions asks DescribeRegions and reads each.
    const text = await runCli([...args, '--all-regions']);
    assert.equal(text.code, 5);
    assert.match(text.stdout, /✗ on-open-group eni-0c0ffee0000000003/);
    assert.match(text.stdout, /→ rerun `cordon contain/);
    const bad = await runCli(['audit', '--endpoint-url', h.endpoint, '--region', 'nowhere']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /not a region name/);
    clients.destroy();
  });
});
