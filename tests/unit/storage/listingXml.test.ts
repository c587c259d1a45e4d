/** ListObjectsV2 pages read without an XML library: what S3 sends is read exactly; anything else is refused. */
import { ListingFormatError, parseListPage } from '../../../src/storage/requests/listingXml';

const page = (inner: string, root = '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n${root}${inner}</ListBucketResult>`;

const contents = (key: string, size = '3', extra = ''): string =>
  `<Contents><Key>${key}</Key><LastModified>2026-11-20T10:00:00.000Z</LastModified><ETag>&quot;abc&quot;</ETag><Size>${size}</Size><StorageClass>STANDARD</StorageClass>${extra}</Contents>`;

test('the last page of a listing: keys, sizes, ETags and dates, XML entities decoded, no token', () => {
  const xml = page(
    `<Name>bkt</Name><Prefix>p/</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>` +
      contents('p/a &amp; b &lt;c&gt; &#233;&#x1F600;') +
      contents('p/z', '0', '<Owner><ID>1</ID><DisplayName>me</DisplayName></Owner>'),
  );
  expect(parseListPage(xml)).toEqual({
    objects: [
      { key: 'p/a & b <c> é😀', size: 3, etag: '"abc"', lastModified: new Date('2026-11-20T10:00:00.000Z') },
      { key: 'p/z', size: 0, etag: '"abc"', lastModified: new Date('2026-11-20T10:00:00.000Z') },
    ],
    nextToken: undefined,
  });
});

test('a truncated page gives its continuation token', () => {
  const xml = page(`<IsTruncated>true</IsTruncated><NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>${contents('k')}<KeyCount>1</KeyCount>`);
  expect(parseListPage(xml).nextToken).toBe('1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=');
});

test('with EncodingType url the keys are URL-decoded, a + being a space (as S3 and MinIO encode)', () => {
  const xml = page(`<EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>${contents('a+b%2Bc/%C3%A9%25%3F%23')}`);
  expect(parseListPage(xml).objects[0]?.key).toBe('a b+c/é%?#');
  // Without EncodingType the same text is the key itself.
  expect(parseListPage(page(`<IsTruncated>false</IsTruncated>${contents('a+b%2Bc')}`)).objects[0]?.key).toBe('a+b%2Bc');
});

test('page-level elements are read outside the objects: a key cannot pose as a token or a flag', () => {
  const xml = page(`<IsTruncated>false</IsTruncated>${contents('&lt;IsTruncated&gt;true&lt;/IsTruncated&gt;')}<KeyCount>1</KeyCount>`);
  expect(parseListPage(xml)).toMatchObject({ objects: [{ key: '<IsTruncated>true</IsTruncated>' }], nextToken: undefined });
  // A prefix named like an element is text, not a tag.
  expect(parseListPage(page(`<Prefix>Contents/</Prefix><IsTruncated>false</IsTruncated>`)).objects).toEqual([]);
});

test.each([
  ['an error document', '<?xml version="1.0"?><Error><Code>AccessDenied</Code></Error>', /no complete <ListBucketResult>/],
  ['a body cut short', page(`<IsTruncated>false</IsTruncated>${contents('k')}`).slice(0, 120), /no complete <ListBucketResult>|not closed/],
  ['a truncated page without a token', page(`<IsTruncated>true</IsTruncated>${contents('k')}`), /truncated but has no <NextContinuationToken>/],
  ['no IsTruncated', page(contents('k')), /<IsTruncated> is "undefined"/],
  ['an object without a size', page(`<IsTruncated>false</IsTruncated><Contents><Key>k</Key></Contents>`), /without <Key> or <Size>/],
  ['a size that is not a byte count', page(`<IsTruncated>false</IsTruncated>${contents('k', '-1')}`), /size "-1"/],
  ['a huge size', page(`<IsTruncated>false</IsTruncated>${contents('k', '99999999999999999999')}`), /is not a byte count/],
  ['an object element with attributes', page(`<IsTruncated>false</IsTruncated><Contents a="1"><Key>k</Key><Size>1</Size></Contents>`), /outside a plain <Contents>/],
  ['a KeyCount that does not match', page(`<KeyCount>2</KeyCount><IsTruncated>false</IsTruncated>${contents('k')}`), /<KeyCount> 2 but 1 objects/],
  ['a character reference beyond Unicode', page(`<IsTruncated>false</IsTruncated>${contents('&#x110000;')}`), /&#x110000; is not a character/],
  ['a key that is not URL-encoding', page(`<EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>${contents('%E0%A4')}`), /is not URL-encoded/],
])('%s is refused, never read as a shorter listing', (_, xml, message) => {
  expect(() => parseListPage(xml)).toThrow(ListingFormatError);
  expect(() => parseListPage(xml)).toThrow(message);
});
