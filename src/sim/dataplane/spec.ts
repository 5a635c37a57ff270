// The flow spec: what a test, a scenario (`regions[].flows`) or `POST /_sim/flows` gives to open a flow, validated
// with zod. Errors name the bad field by its path (e.g. `accounts[0].regions[0].flows[2].remoteAddress: …`).

import { z } from 'zod';
import { parseIp } from '../../core/cidr.js';
import { PATH_NAMES, type PathName } from '../../core/verify/paths.js';

const ipAddress = z.string().refine((s) => parseIp(s) !== undefined, 'must be an IPv4 or IPv6 address');
const port = z.number().int().min(0).max(65535);

export const flowSpecSchema = z
  .strictObject({
    /** Your id for the flow (default flow-1, flow-2 …). */
    id: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,64}$/, 'letters, digits and . _ : - only, at most 64')
      .optional(),
    name: z.string().min(1).max(128).optional(),
    /** The ENI the flow runs on … */
    eni: z
      .string()
      .regex(/^eni-[0-9a-f]{8,17}$/, 'must be an ENI id such as eni-0123456789abcdef0')
      .optional(),
    /** … or an instance (id or Name tag) and a device index (default 0). */
    instance: z.string().min(1).optional(),
    deviceIndex: z.number().int().min(0).max(31).optional(),
    /** tcp | udp | icmp | icmpv6 | a protocol number (6 = tcp, 17 = udp, 1 = icmp, 58 = icmpv6, 47 = gre …). */
    protocol: z.union([z.enum(['tcp', 'udp', 'icmp', 'icmpv6']), z.number().int().min(0).max(255)]),
    /**
     * Port on the instance. Required for an inbound TCP/UDP flow (the service port); else an ephemeral port — or any
     * port the instance picks as its source (a compromised host chooses its own).
     */
    localPort: port.optional(),
    /** Port on the far side. Required for an outbound TCP/UDP flow; else an ephemeral port (or the one it picks). */
    remotePort: port.optional(),
    /** ICMP type of the initiating message (default 8, echo request). */
    icmpType: z.number().int().min(0).max(255).optional(),
    /** ICMP code of the initiating message (default 0). */
    icmpCode: z.number().int().min(0).max(255).optional(),
    /** The instance's address (default: the ENI's primary address of the remote address's family). */
    localAddress: ipAddress.optional(),
    remoteAddress: ipAddress,
    initiator: z.enum(['inbound', 'outbound']),
    path: z.enum(PATH_NAMES as [PathName, ...PathName[]]),
    /** Exchanges traffic all the time (a shell with keep-alives): never idle while it gets through. */
    active: z.boolean().default(false),
    /** UDP: more than one request-response seen (UdpStreamTimeout) rather than one (UdpTimeout). Default true. */
    udpStream: z.boolean().default(true),
  })
  .refine((s) => (s.eni === undefined) !== (s.instance === undefined), {
    message: 'give exactly one of eni or instance',
    path: ['eni'],
  })
  .refine((s) => s.deviceIndex === undefined || s.instance !== undefined, {
    message: 'deviceIndex goes with instance',
    path: ['deviceIndex'],
  });

export type FlowSpec = z.infer<typeof flowSpecSchema>;

/** Control API only: where the flow lives (default: the scenario's default account and region). */
export const controlFlowSchema = z
  .object({
    accountId: z
      .string()
      .regex(/^\d{12}$/)
      .optional(),
    region: z.string().min(1).optional(),
  })
  .passthrough();

export const dataplaneOptionsSchema = z.strictObject({
  /**
   * The seed's claim, not an AWS-documented fact (aws-api-semantics.md §1.7): a tracked flow whose protocol becomes
   * untracked under new rules loses its conntrack entry. Default true.
   */
  untrackingDropsEntries: z.boolean().optional(),
});

export type DataplaneOptions = { untrackingDropsEntries: boolean };

export class FlowSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlowSpecError';
  }
}

export function formatZodIssues(prefix: string, error: z.ZodError): string {
  return error.issues
    .slice(0, 10)
    .map((i) => {
      const path = i.path.reduce<string>(
        (s, p) => (typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${String(p)}` : String(p)),
        prefix,
      );
      return `${path || '(flow)'}: ${i.message}`;
    })
    .join('; ');
}
