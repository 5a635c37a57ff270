// EC2 `Filter.N.Name` / `Filter.N.Value.M` matching, generic over resources: each resource kind supplies a
// function giving a resource's values for a filter name. Values may use * and ? wildcards (as EC2 allows).
// Unknown filter names answer InvalidParameterValue, as EC2 does.

import type { FormObject } from '../../protocol/form.js';
import { objList, strList, str } from '../framework.js';
import { AwsError } from '../../errors.js';
import { actionMatches } from '../../permissions.js';

export type FilterValues<T> = (resource: T, name: string) => (string | number | boolean | undefined)[] | undefined;

export interface Filter {
  name: string;
  values: string[];
}

export function readFilters(p: FormObject): Filter[] {
  return objList(p, 'Filter').map((f) => ({ name: str(f, 'Name') ?? '', values: strList(f, 'Value') }));
}

function tagValues(tags: Record<string, string>, name: string): string[] | undefined {
  if (name.startsWith('tag:')) {
    const v = tags[name.slice(4)];
    return v === undefined ? [] : [v];
  }
  if (name === 'tag-key') return Object.keys(tags);
  if (name === 'tag-value') return Object.values(tags);
  return undefined;
}

export function applyFilters<T extends { tags: Record<string, string> }>(
  items: T[],
  filters: Filter[],
  values: FilterValues<T>,
): T[] {
  if (filters.length === 0) return items;
  return items.filter((item) =>
    filters.every((f) => {
      const got = tagValues(item.tags, f.name) ?? values(item, f.name);
      if (got === undefined) throw new AwsError('InvalidParameterValue', `The filter '${f.name}' is invalid`);
      const strs = got.filter((x) => x !== undefined).map(String);
      return f.values.some((want) =>
        strs.some((v) => (want.includes('*') || want.includes('?') ? actionMatches(want, v) : v === want)),
      );
    }),
  );
}
