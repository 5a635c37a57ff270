// Decodes an AWS query-protocol form body (ec2Query or awsQuery) into a nested value.
//   InstanceId.1=i-1&InstanceId.2=i-2            -> { InstanceId: ['i-1', 'i-2'] }
//   Filter.1.Name=x&Filter.1.Value.1=y          -> { Filter: [{ Name: 'x', Value: ['y'] }] }
//   InstanceIds.member.1=i-1 (awsQuery)          -> { InstanceIds: ['i-1'] }
//   Attributes.entry.1.key=k&...value=v          -> { Attributes: [{ key: 'k', value: 'v' }] }
// A numeric path segment is a 1-based list index; awsQuery's `member` / `entry` wrappers are dropped.

export type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type FormObject = { [key: string]: FormValue };

const WRAPPERS = new Set(['member', 'entry']);

export function decodeForm(body: string): FormObject {
  const root: FormObject = {};
  for (const [rawKey, value] of new URLSearchParams(body)) {
    const segs = rawKey.split('.');
    const path: (string | number)[] = [];
    for (let i = 0; i < segs.length; i++) {
      const s = segs[i]!;
      if (WRAPPERS.has(s) && i + 1 < segs.length && /^\d+$/.test(segs[i + 1]!)) continue;
      path.push(/^\d+$/.test(s) ? Number(s) - 1 : s);
    }
    assign(root, path, value);
  }
  return compact(root) as FormObject;
}

function assign(root: FormObject, path: (string | number)[], value: string): void {
  let cur: FormValue = root;
  for (let i = 0; i < path.length; i++) {
    const key = path[i]!;
    const last = i === path.length - 1;
    const nextIsIndex = !last && typeof path[i + 1] === 'number';
    if (Array.isArray(cur)) {
      if (typeof key !== 'number') return; // malformed: a name where an index belongs
      if (last) {
        cur[key] = value;
        return;
      }
      if (cur[key] === undefined || typeof cur[key] === 'string') cur[key] = nextIsIndex ? [] : {};
      cur = cur[key]!;
    } else if (typeof cur === 'object') {
      const k = String(key);
      if (last) {
        cur[k] = value;
        return;
      }
      const existing: FormValue | undefined = cur[k];
      if (existing === undefined || typeof existing === 'string') cur[k] = nextIsIndex ? [] : {};
      cur = cur[k]!;
    } else {
      return;
    }
  }
}

/** Removes holes left by sparse indexes (e.g. only `.2` given). */
function compact(v: FormValue): FormValue {
  if (Array.isArray(v)) return v.filter((x) => x !== undefined).map(compact);
  if (typeof v === 'object') {
    const out: FormObject = {};
    for (const [k, x] of Object.entries(v)) out[k] = compact(x);
    return out;
  }
  return v;
}
