/**
 * A small, strict XML reader for tests of the JUnit output: elements, attributes, text and the
 * five predefined entities plus character references; a declaration and comments are skipped.
 * It throws on anything malformed (an unclosed or mismatched tag, a bare `&` or `<`), so a test
 * reading a report also checks that the report is well-formed.
 */

/** An element: its name, attributes, child elements and its own text (concatenated). */
export interface XmlElement {
  /** Tag name. */
  readonly name: string;
  /** Attributes, unescaped. */
  readonly attrs: Record<string, string>;
  /** Child elements, in order. */
  readonly children: XmlElement[];
  /** Text directly inside it, unescaped. */
  text: string;
}

const ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function unescape(s: string, at: number): string {
  return s.replace(/&([^;]*);|&|</g, (m, name: string | undefined) => {
    if (m === '<' || name === undefined) throw new Error(`xml: bare "${m}" near offset ${at}`);
    if (name.startsWith('#x')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(parseInt(name.slice(1), 10));
    const v = ENTITIES[name];
    if (v === undefined) throw new Error(`xml: unknown entity &${name}; near offset ${at}`);
    return v;
  });
}

/** Parses `xml` and returns its root element. Throws `Error('xml: …')` when it is not well-formed. */
export function parseXml(xml: string): XmlElement {
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt === -1 ? xml.length : lt);
    if (stack.length > 0) stack[stack.length - 1]!.text += unescape(text, i);
    else if (text.trim() !== '') throw new Error(`xml: text outside the root near offset ${i}`);
    if (lt === -1) break;
    if (xml.startsWith('<?', lt)) {
      i = xml.indexOf('?>', lt) + 2;
      continue;
    }
    if (xml.startsWith('<!--', lt)) {
      i = xml.indexOf('-->', lt) + 3;
      continue;
    }
    const gt = xml.indexOf('>', lt);
    if (gt === -1) throw new Error(`xml: unterminated tag at offset ${lt}`);
    const tag = xml.slice(lt + 1, gt);
    i = gt + 1;
    if (tag.startsWith('/')) {
      const open = stack.pop();
      if (open === undefined || open.name !== tag.slice(1).trim()) throw new Error(`xml: </${tag.slice(1)}> closes <${open?.name ?? 'nothing'}> at offset ${lt}`);
      if (stack.length === 0) root = open;
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const m = /^([A-Za-z_][\w.-]*)/.exec(body);
    if (m === null) throw new Error(`xml: bad tag <${tag}> at offset ${lt}`);
    const attrs: Record<string, string> = {};
    const rest = body.slice(m[1]!.length);
    const attrRe = /\s+([A-Za-z_][\w.-]*)="([^"]*)"/gy;
    let consumed = 0;
    for (let a = attrRe.exec(rest); a !== null; a = attrRe.exec(rest)) {
      if (a[1]! in attrs) throw new Error(`xml: attribute ${a[1]} twice in <${m[1]}>`);
      attrs[a[1]!] = unescape(a[2]!, lt);
      consumed = attrRe.lastIndex;
    }
    if (rest.slice(consumed).trim() !== '') throw new Error(`xml: bad attributes in <${tag}> at offset ${lt}`);
    const el: XmlElement = { name: m[1]!, attrs, children: [], text: '' };
    if (stack.length > 0) stack[stack.length - 1]!.children.push(el);
    else if (root !== null) throw new Error('xml: more than one root element');
    if (selfClosing) {
      if (stack.length === 0) root = el;
    } else {
      stack.push(el);
    }
  }
  if (stack.length > 0) throw new Error(`xml: <${stack[stack.length - 1]!.name}> is never closed`);
  if (root === null) throw new Error('xml: no root element');
  return root;
}

/** Every element named `name` below `e` (depth first). */
export function findAll(e: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of e.children) {
    if (c.name === name) out.push(c);
    out.push(...findAll(c, name));
  }
  return out;
}
