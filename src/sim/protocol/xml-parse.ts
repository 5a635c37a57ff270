// A small XML reader for request bodies (S3's CreateBucketConfiguration, VersioningConfiguration,
// CompleteMultipartUpload). Elements, text, the five named entities and numeric character references, comments,
// CDATA and a declaration; attributes and namespaces are read past (S3 request bodies carry only xmlns). Anything
// malformed throws XmlSyntaxError, which the service answers as MalformedXML.

export interface XmlElement {
  name: string;
  children: XmlElement[];
  /** The element's own text (concatenated, entities decoded); '' when it has only child elements. */
  text: string;
}

export class XmlSyntaxError extends Error {}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);|&/g, (m, ref: string | undefined) => {
    if (ref === undefined) throw new XmlSyntaxError('a bare & in text');
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    const v = NAMED[ref];
    if (v === undefined) throw new XmlSyntaxError(`unknown entity ${m}`);
    return v;
  });
}

const NAME = /^[A-Za-z_][\w.:-]*/;

/** Parses a document and returns its root element. */
export function parseXml(doc: string): XmlElement {
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const skipPast = (end: string): void => {
    const j = doc.indexOf(end, i);
    if (j < 0) throw new XmlSyntaxError(`unterminated ${end}`);
    i = j + end.length;
  };
  while (i < doc.length) {
    const lt = doc.indexOf('<', i);
    const text = doc.slice(i, lt < 0 ? doc.length : lt);
    if (text.length) {
      const top = stack.at(-1);
      if (top) top.text += decodeEntities(text);
      else if (text.trim()) throw new XmlSyntaxError('text outside the root element');
    }
    if (lt < 0) break;
    i = lt;
    if (doc.startsWith('<?', i)) skipPast('?>');
    else if (doc.startsWith('<!--', i)) skipPast('-->');
    else if (doc.startsWith('<![CDATA[', i)) {
      const j = doc.indexOf(']]>', i);
      if (j < 0 || !stack.length) throw new XmlSyntaxError('misplaced CDATA');
      stack.at(-1)!.text += doc.slice(i + 9, j);
      i = j + 3;
    } else if (doc.startsWith('<!', i)) skipPast('>');
    else if (doc.startsWith('</', i)) {
      const gt = doc.indexOf('>', i);
      if (gt < 0) throw new XmlSyntaxError('unterminated end tag');
      const name = doc.slice(i + 2, gt).trim();
      const open = stack.pop();
      if (!open || open.name !== name) throw new XmlSyntaxError(`unexpected </${name}>`);
      i = gt + 1;
    } else {
      const gt = doc.indexOf('>', i);
      if (gt < 0) throw new XmlSyntaxError('unterminated start tag');
      const inner = doc.slice(i + 1, gt);
      const selfClosing = inner.endsWith('/');
      const m = NAME.exec(inner);
      if (!m) throw new XmlSyntaxError('a start tag without a name');
      const el: XmlElement = { name: m[0], children: [], text: '' };
      const parent = stack.at(-1);
      if (parent) parent.children.push(el);
      else if (root) throw new XmlSyntaxError('more than one root element');
      else root = el;
      if (!selfClosing) stack.push(el);
      i = gt + 1;
    }
  }
  if (stack.length) throw new XmlSyntaxError(`<${stack.at(-1)!.name}> is not closed`);
  if (!root) throw new XmlSyntaxError('no root element');
  return root;
}

/** The children of `el` named `name` (namespace prefixes ignored). */
export function childrenNamed(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => localName(c.name) === name);
}

/** The text of the first child named `name`, trimmed; undefined when there is none. */
export function childText(el: XmlElement, name: string): string | undefined {
  const c = el.children.find((x) => localName(x.name) === name);
  return c === undefined ? undefined : c.text.trim();
}

export function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}
