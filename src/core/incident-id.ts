// Incident ids name files (<state>/journal/<id>.jsonl, records/<id>/, evidence/<id>/) and S3 keys, and arrive from
// the command line, findings and tags: one rule, checked before anything is read or written.

/** Letters, digits, `.`, `_`, `-`; at most 128; never `.` or `..` (a folder name that points elsewhere). */
export function isIncidentId(id: string): boolean {
  return /^[A-Za-z0-9._-]{1,128}$/.test(id) && id !== '.' && id !== '..';
}
