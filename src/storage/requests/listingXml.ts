/**
 * One ListObjectsV2 response page (`<ListBucketResult>`), read without a general XML parser: the SDK's
 * parser and deserializers cost ~0.1 ms of CPU per listed key, half of a no-op sync's CPU, and this
 * format is flat and fixed. The response is untrusted: anything that does not look like a complete page
 * is an error, never a shorter listing.
 */
import type { ObjectInfo } from '../objectInfo';
import { elementText, MalformedXmlError } from './xmlText';

export interface ListPage {
  objects: ObjectInfo[];
  /** Set when the listing continues (IsTruncated); the next request sends it back. */
  nextToken: string | undefined;
}

export class ListingFormatError extends Error {
  constructor(message: string) {
    super(`unexpected listing response: ${message}`);
    this.name = 'ListingFormatError';
  }
}

/** encoding-type=url values: S3 and MinIO encode a space as `+` (a literal `+` as %2B), as HTML forms do. */
function urlDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch (error) {
    if (error instanceof URIError) throw new ListingFormatError(`key "${text}" is not URL-encoded`);
    throw error;
  }
}

export function parseListPage(xml: string): ListPage {
  try {
    return readListPage(xml);
  } catch (error) {
    if (error instanceof MalformedXmlError) throw new ListingFormatError(error.message);
    throw error;
  }
}

function readListPage(xml: string): ListPage {
  const body = xml.indexOf('<ListBucketResult');
  const bodyEnd = xml.lastIndexOf('</ListBucketResult>');
  if (body === -1 || bodyEnd === -1) throw new ListingFormatError('no complete <ListBucketResult> element');
  // Split into the <Contents> blocks and everything else: page-level elements (IsTruncated, the token,
  // EncodingType) are read only outside the blocks, so no key can pose as one.
  const blocks: string[] = [];
  let outside = '';
  let at = body;
  for (let open = xml.indexOf('<Contents>', at); open !== -1 && open < bodyEnd; open = xml.indexOf('<Contents>', at)) {
    const close = xml.indexOf('</Contents>', open);
    if (close === -1) throw new ListingFormatError('<Contents> is not closed');
    outside += xml.slice(at, open);
    blocks.push(xml.slice(open + '<Contents>'.length, close));
    at = close + '</Contents>'.length;
  }
  outside += xml.slice(at, bodyEnd);
  // A <Contents> written any other way (attributes, a namespace prefix) would be skipped: refuse instead.
  if (outside.includes('<Key>') || outside.includes('<Contents')) throw new ListingFormatError('an object outside a plain <Contents> element');

  const encoded = elementText(outside, 'EncodingType') === 'url';
  const objects = blocks.map((block): ObjectInfo => {
    const key = elementText(block, 'Key');
    const sizeText = elementText(block, 'Size');
    if (key === undefined || sizeText === undefined) throw new ListingFormatError('an object without <Key> or <Size>');
    const size = /^\d{1,16}$/.test(sizeText) ? Number(sizeText) : Number.NaN;
    if (!Number.isSafeInteger(size)) throw new ListingFormatError(`size "${sizeText}" is not a byte count`);
    const modified = elementText(block, 'LastModified');
    const lastModified = modified === undefined ? undefined : new Date(modified);
    return {
      key: encoded ? urlDecode(key) : key,
      size,
      lastModified: lastModified && !Number.isNaN(lastModified.getTime()) ? lastModified : undefined,
      etag: elementText(block, 'ETag'),
    };
  });
  const keyCount = elementText(outside, 'KeyCount');
  if (keyCount !== undefined && Number(keyCount) !== objects.length) throw new ListingFormatError(`<KeyCount> ${keyCount} but ${objects.length} objects`);
  const truncated = elementText(outside, 'IsTruncated');
  if (truncated !== 'true' && truncated !== 'false') throw new ListingFormatError(`<IsTruncated> is "${String(truncated)}"`);
  if (truncated === 'false') return { objects, nextToken: undefined };
  const nextToken = elementText(outside, 'NextContinuationToken');
  if (!nextToken) throw new ListingFormatError('the page is truncated but has no <NextContinuationToken>');
  return { objects, nextToken };
}
