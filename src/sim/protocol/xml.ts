// Serialises plain data to AWS-style XML. Arrays become wrapped lists whose element name is given by the
// protocol (`item` for EC2, `member` for awsQuery) — or, in the REST-XML style S3 uses, flattened lists (each item
// repeats the array's own element name); an XmlList names its items itself (awsQuery maps: `entry`). Dates become
// ISO-8601; null/undefined are omitted. Handlers return data shaped like the wire model; no handler writes XML text.
// This is on every call's hot path: it builds one string by concatenation and escapes only text that needs it.

export type XmlData =
  string | number | boolean | Date | null | undefined | XmlList | XmlData[] | { [key: string]: XmlData };

/** A list whose items carry their own element name, whatever the protocol's default (awsQuery maps use `entry`). */
export class XmlList {
  constructor(
    readonly item: string,
    readonly items: XmlData[],
  ) {}
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
const NEEDS_ESCAPE = /[&<>"']/;
const ESCAPE_ALL = /[&<>"']/g;

export function escapeXml(s: string): string {
  return NEEDS_ESCAPE.test(s) ? s.replace(ESCAPE_ALL, (c) => ESCAPES[c]!) : s;
}

export function toXml(name: string, value: XmlData, listItem: string, attrs = ''): string {
  return write(name, value, listItem, attrs);
}

/** REST-XML (S3): lists are flattened — `{ Contents: [a, b] }` gives `<Contents>a</Contents><Contents>b</Contents>`. */
export function toFlatXml(name: string, value: XmlData, attrs = ''): string {
  return write(name, value, null, attrs);
}

function write(name: string, value: XmlData, listItem: string | null, attrs = ''): string {
  if (value === undefined || value === null) return '';
  switch (typeof value) {
    case 'string':
      return `<${name}${attrs}>${escapeXml(value)}</${name}>`;
    case 'number':
    case 'boolean':
      return `<${name}${attrs}>${value}</${name}>`;
    case 'object':
      break;
    default:
      return `<${name}${attrs}>${escapeXml(String(value))}</${name}>`;
  }
  if (value instanceof XmlList) {
    if (value.items.length === 0) return `<${name}${attrs}/>`;
    let out = `<${name}${attrs}>`;
    for (const item of value.items) out += write(value.item, item, listItem);
    return `${out}</${name}>`;
  }
  if (Array.isArray(value)) {
    if (listItem === null) {
      let flat = '';
      for (let i = 0; i < value.length; i++) flat += write(name, value[i], null, attrs);
      return flat;
    }
    if (value.length === 0) return `<${name}${attrs}/>`;
    let out = `<${name}${attrs}>`;
    for (let i = 0; i < value.length; i++) out += write(listItem, value[i], listItem);
    return `${out}</${name}>`;
  }
  if (value instanceof Date) return `<${name}${attrs}>${value.toISOString()}</${name}>`;
  let out = `<${name}${attrs}>`;
  for (const k in value) {
    if (Object.prototype.hasOwnProperty.call(value, k)) out += write(k, value[k], listItem);
  }
  return `${out}</${name}>`;
}
