// `cordon <command> --help` ends with examples of the command's three most common uses, each a line to copy. One
// table for every command, so they read alike; test/cli/help.test.ts checks that every command has its examples.

import type { Command } from 'commander';

const I = 'i-0123456789abcdef0';
const IR = 'ir-20261204T101500Z-a1b2c3';

/** Command path (as `cordon <path> --help` names it) → [command line, what it does]. */
export const EXAMPLES: Record<string, [string, string][]> = {
  cordon: [
    ['npm run lab', 'in a checkout: the rehearsal on the simulated account (= cordon lab)'],
    [`cordon plan ${I} --region eu-west-1`, 'what containment would change (reads and DryRuns only)'],
    [`cordon contain ${I} --region eu-west-1`, 'contain it (asks first on a terminal)'],
  ],
  sim: [
    ['cordon sim', 'the demo account on http://127.0.0.1:4566, until Ctrl-C'],
    ['cordon sim --port 0 --output json', 'any free port; one JSON line with the endpoint (for scripts)'],
    ['cordon sim --scenario multi-account --faults \'{"latency":{"fixedMs":50}}\'', 'another scenario, 50 ms per call'],
  ],
  plan: [
    [`cordon plan ${I} --region eu-west-1`, 'every change, in order, and any missing permission (exit 4)'],
    [`cordon plan ${I} --region eu-west-1 --layers subnet --out plan.json`, 'save it; apply with contain --plan'],
    ['cordon plan --tag Env=prod --region eu-west-1 --output json', 'a fleet selected by tag, as JSON'],
  ],
  contain: [
    [`cordon contain ${I} --region eu-west-1`, 'show the plan, ask, contain, verify'],
    ['cordon contain --plan plan.json --yes', 'apply a reviewed plan (refused if its facts changed)'],
    [
      'cordon contain --targets hosts.txt --role-name Responder --yes --output json',
      'a fleet across accounts, for automation',
    ],
  ],
  restore: [
    [`cordon restore ${I} --region eu-west-1`, 'put everything back (asks first on a terminal)'],
    [`cordon restore ${I} --region eu-west-1 --yes --remove-revocation`, 'also lift the session revocation'],
    [`cordon restore ${I} --region eu-west-1 --trust journal`, 'tags and journal disagree: believe the journal'],
  ],
  prepare: [
    ['cordon prepare --all-vpcs --region eu-west-1', 'isolation groups in every VPC: containment is two swaps'],
    ['cordon prepare --vpc vpc-0a1b2c3d4e5f60001 --region eu-west-1', 'one VPC'],
    ['cordon prepare --all-vpcs --region us-east-1 --output json', 'the group ids as JSON'],
  ],
  status: [
    [`cordon status ${I} --region eu-west-1`, 'contained or not, since when, by which incident'],
    ['cordon status --tag cordon:status=contained --region eu-west-1', 'every instance cordon contained there'],
    [
      `cordon status arn:aws:ec2:eu-west-1:123456789012:instance/${I} --role-name Responder --output json`,
      'another account, as JSON',
    ],
  ],
  lab: [
    ['cordon lab', 'contain the demo instance, watch the attacker flows die (npm run lab in a checkout)'],
    ['cordon lab --naive', 'a one-step swap: the tracked SSH session survives'],
    ['cordon lab --layers subnet --output json', 'with the NACL layer, as one JSON document'],
  ],
  'iam-policy': [
    ['cordon iam-policy > cordon-policy.json', 'the policy for the default playbook'],
    ['cordon iam-policy --layers edge --revoke-sessions', 'with the subnet and route layers and revocation'],
    ['cordon iam-policy --layers sg --no-evidence --no-asg', 'network isolation only'],
  ],
  verify: [
    [`cordon verify ${I} --region eu-west-1`, 'what can still reach it, per class of flow (exit 5 if open)'],
    [`cordon verify ${I} --region eu-west-1 --after-swap`, 'after cordon contain (tracked connections gone)'],
    [`cordon verify ${I} --region eu-west-1 --output json`, 'the verdicts as JSON'],
  ],
  evidence: [
    [`cordon evidence verify ${IR}`, 'every evidence file still matches its SHA-256'],
    [`cordon evidence verify ${IR} --state-dir /mnt/case-42/.cordon`, 'evidence copied elsewhere'],
    [`cordon evidence verify ${IR} --output json`, 'the result as JSON'],
  ],
  'evidence verify': [
    [`cordon evidence verify ${IR}`, 'exit 0 when every file matches, 5 otherwise'],
    [`cordon evidence verify ${IR} --state-dir /mnt/case-42/.cordon`, 'evidence copied elsewhere'],
    [`cordon evidence verify ${IR} --output json`, 'each problem as JSON'],
  ],
  journal: [
    [`cordon journal verify ${IR}`, 'the hash chain of the incident journal holds'],
    [`cordon journal verify ${IR} --state-dir /mnt/case-42/.cordon`, 'a journal copied elsewhere'],
    [`cordon journal verify ${IR} --output json`, 'the result as JSON'],
  ],
  'journal verify': [
    [`cordon journal verify ${IR}`, 'exit 0 when the chain holds, 5 otherwise'],
    [`cordon journal verify ${IR} --state-dir /mnt/case-42/.cordon`, 'a journal copied elsewhere'],
    [`cordon journal verify ${IR} --output json`, 'each broken line as JSON'],
    [`cordon journal verify ${IR} --state s3://ir-bucket/cordon`, 'the journal kept in S3'],
  ],
  report: [
    [`cordon report ${IR}`, 'the incident report, next to its run records'],
    [`cordon report ${IR} --out /tmp/${IR}.html`, 'written where you choose, to attach to the ticket'],
    [`cordon report ${IR} --output json`, "the report's data as JSON"],
  ],
  audit: [
    ['cordon audit --region eu-west-1', 'one region'],
    ['cordon audit --region us-east-1,eu-west-1 --output json', 'several, as JSON'],
    ['cordon audit --all-regions --output json', 'a scheduled job: alert when the exit code is 5'],
  ],
};

/** The path of a command below the program: "evidence verify"; the program itself is "cordon". */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.length ? names.join(' ') : 'cordon';
}

/** Adds the examples of the table to the program and every command below it. */
export function addExamples(program: Command): void {
  const visit = (cmd: Command): void => {
    const examples = EXAMPLES[commandPath(cmd)];
    if (examples) {
      const width = Math.max(...examples.map(([line]) => line.length));
      const lines = examples.map(([line, what]) =>
        line.length > 60 ? `  ${line}\n      # ${what}` : `  ${line.padEnd(Math.min(width, 60))}  # ${what}`,
      );
      cmd.addHelpText('after', `\nExamples:\n${lines.join('\n')}`);
    }
    for (const sub of cmd.commands) visit(sub);
  };
  visit(program);
}
