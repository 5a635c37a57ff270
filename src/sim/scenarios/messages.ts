// Validation messages that say what was expected and what was given, with the field's path added by the caller.
// Used for scenarios (loader.ts) and fault configurations (faults/schema.ts) as zod's per-parse error map.

function shown(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 37)}…` : s;
}

const TYPE_NAMES: Record<string, string> = {
  int: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
};

/** The closest allowed name within 2 edits, for "did you mean". */
function closest(word: string, options: string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const o of options) {
    const d = editDistance(word.toLowerCase(), o.toLowerCase());
    if (d < bestD) [best, bestD] = [o, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** Messages that say what was expected and what was given, for the issues zod words generically. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function validationMessage(iss: any): string | undefined {
  switch (iss.code) {
    case 'invalid_type':
      if (iss.input === undefined) return `required; give ${TYPE_NAMES[iss.expected] ?? iss.expected}`;
      return `must be ${TYPE_NAMES[iss.expected] ?? iss.expected}, not ${shown(iss.input)}`;
    case 'invalid_value':
      if (Array.isArray(iss.values))
        return `must be one of ${iss.values.map((v: unknown) => JSON.stringify(v)).join(', ')}, not ${shown(iss.input)}`;
      return undefined;
    case 'unrecognized_keys': {
      const allowed = Object.keys(iss.schema?.def?.shape ?? {});
      const parts = (iss.keys as string[]).map((k) => {
        const near = closest(k, allowed);
        return near ? `"${k}" (did you mean "${near}"?)` : `"${k}"`;
      });
      return `unknown field${parts.length > 1 ? 's' : ''} ${parts.join(', ')}${allowed.length ? `; allowed here: ${allowed.join(', ')}` : ''}`;
    }
    case 'invalid_union': {
      const expected = (iss.errors as { expected?: string }[][])
        .map((e) => e[0]?.expected)
        .filter((x): x is string => !!x);
      if (expected.length === (iss.errors as unknown[]).length)
        return `must be ${expected.map((e) => TYPE_NAMES[e] ?? e).join(' or ')}, not ${shown(iss.input)}`;
      return undefined;
    }
    case 'too_small':
      if (iss.origin === 'array') return `needs at least ${iss.minimum} item${iss.minimum === 1 ? '' : 's'}`;
      if (iss.origin === 'string')
        return iss.minimum === 1 ? 'must not be empty' : `must be at least ${iss.minimum} characters`;
      if (iss.origin === 'number') return `must be at least ${iss.minimum}, not ${shown(iss.input)}`;
      return undefined;
    case 'too_big':
      if (iss.origin === 'string') return `must be at most ${iss.maximum} characters`;
      if (iss.origin === 'number') return `must be at most ${iss.maximum}, not ${shown(iss.input)}`;
      if (iss.origin === 'array') return `may have at most ${iss.maximum} items`;
      return undefined;
    default:
      return undefined;
  }
}
