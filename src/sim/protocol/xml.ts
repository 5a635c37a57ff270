// Serialises plain data to AWS-style XML. Arrays become wrapped lists whose element name is given by the
// protocol (`item` for EC2, `member` for awsQuery); Dates become ISO-8601; null/undefined are omitted.
// Handlers return data shaped like the wire model; no handler writes XML text.

export type XmlData = string | number | boolean | Date | null | undefined | XmlData[] | { [key: string]: XmlData };

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

export function toXml(name: string, value: XmlData, listItem: string, attrs = ''): string {
  const parts: string[] = [];
  write(parts, name, value, listItem, attrs);
  return parts.join('');
}

function write(out: string[], name: string, value: XmlData, listItem: string, attrs = ''): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    if (value.length === 0) { out.push(`<${name}${attrs}/>`); return; }
    out.push(`<${name}${attrs}>`);
    for (const v of value) write(out, listItem, v, listItem);
    out.push(`</${name}>`);
    return;
  }
  if (value instanceof Date) { out.push(`<${name}${attrs}>${value.toISOString()}</${name}>`); return; }
  if (typeof value === 'object') {
    out.push(`<${name}${attrs}>`);
    for (const [k, v] of Object.entries(value)) write(out, k, v, listItem);
    out.push(`</${name}>`);
    return;
  }
  out.push(`<${name}${attrs}>${escapeXml(String(value))}</${name}>`);
}
