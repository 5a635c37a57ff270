// Incident ids name files (<state>/journal/<id>.jsonl, records/<id>/, evidence/<id>/) and S3 keys, and arrive from
// the command line, findings and tags: one rule, checked before anything is read or written.

import { CordonError, EXIT } from './errors.js';

/** Letters, digits, `.`, `_`, `-`; at most 128; never `.` or `..` (a folder name that points elsewhere). */
export function isIncidentId(id: string): boolean {
  return /^[A-Za-z0-9._-]{1,128}$/.test(id) && id !== '.' && id !== '..';
}

/** Throws the usage error a command prints for an id that is not one (before anything is read). */
export function checkIncidentId(id: string): void {
  if (!isIncidentId(id))
    throw new CordonError(
      'usage',
      `"${id}" is not an incident id (letters, digits, . _ - only)`,
      EXIT.usage,
      'incident ids look like ir-20261204T225515Z-36918a: `ls <state-dir>/journal` lists them',
    );
}
