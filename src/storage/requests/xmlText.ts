/**
 * Text of the flat elements S3 responses are made of (`<Code>SlowDown</Code>`, `<Key>…</Key>`), without
 * an XML library: what the error reader and the listing reader both need.
 */
export class MalformedXmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedXmlError';
  }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** XML character data: the five named entities and numeric character references. */
function unescapeXml(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|amp|lt|gt|quot|apos);/g, (reference, entity: string) => {
    if (!entity.startsWith('#')) return ENTITIES[entity] as string;
    const codePoint = entity.startsWith('#x') ? Number.parseInt(entity.slice(2), 16) : Number.parseInt(entity.slice(1), 10);
    if (codePoint > 0x10ffff) throw new MalformedXmlError(`${reference} is not a character`);
    return String.fromCodePoint(codePoint);
  });
}

/** The text of the first `<element>` in `xml`, unescaped; undefined when absent. These elements hold text only. */
export function elementText(xml: string, element: string): string | undefined {
  const open = `<${element}>`;
  const start = xml.indexOf(open);
  if (start === -1) return undefined;
  const end = xml.indexOf(`</${element}>`, start + open.length);
  if (end === -1) throw new MalformedXmlError(`<${element}> is not closed`);
  return unescapeXml(xml.slice(start + open.length, end));
}
