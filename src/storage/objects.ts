/** The object operations the restores share: list, head, download to a file, upload from a stream. */
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ListingFormatError } from './requests/listingXml';
import type { ObjectRequests } from './requests/objectRequests';
import type { ObjectInfo } from './objectInfo';
import { toStorageError } from './storageError';

export type { ObjectInfo };

/**
 * Every object under `prefix`, in the server's (UTF-8 binary) order; recursive, never a delimiter listing.
 * With `requests` (an explicit endpoint) the pages are fetched and read directly, at a fraction of the
 * SDK's CPU; a page that cannot be read whole fails the listing, never shortens it.
 */
export async function listObjects(client: S3Client, bucket: string, prefix: string, where: string, requests?: ObjectRequests): Promise<ObjectInfo[]> {
  const objects: ObjectInfo[] = [];
  let token: string | undefined;
  do {
    const previous = token;
    try {
      if (requests) {
        const page = await requests.listPage(bucket, prefix, token);
        objects.push(...page.objects);
        token = page.nextToken;
      } else {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined, ContinuationToken: token, MaxKeys: 1000 }));
        for (const item of page.Contents ?? []) {
          if (item.Key === undefined) continue;
          objects.push({ key: item.Key, size: item.Size ?? 0, lastModified: item.LastModified, etag: item.ETag });
        }
        if (page.IsTruncated && !page.NextContinuationToken) throw new ListingFormatError('the page is truncated but has no <NextContinuationToken>');
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      }
      // A server that hands back the token it was given would page forever.
      if (token !== undefined && token === previous) throw new ListingFormatError('the same continuation token twice');
    } catch (error) {
      throw toStorageError(error, where, `listing ${bucket}/${prefix}`);
    }
  } while (token);
  return objects;
}

/** undefined when the object does not exist. */
export async function headObject(client: S3Client, bucket: string, key: string, where: string): Promise<ObjectInfo | undefined> {
  try {
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return { key, size: head.ContentLength ?? 0, lastModified: head.LastModified, etag: head.ETag };
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404) return undefined;
    throw toStorageError(error, where, `reading ${bucket}/${key}`);
  }
}

/** Streams the object to `path` (via `<path>.partial`, so a broken download never looks complete). */
export async function downloadToFile(client: S3Client, bucket: string, key: string, path: string, where: string, signal?: AbortSignal): Promise<number> {
  const partial = `${path}.partial`;
  try {
    const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
    const body = response.Body as Readable | undefined;
    if (!body) throw new Error('empty response body');
    let bytes = 0;
    body.on('data', (chunk: Buffer) => (bytes += chunk.length));
    await pipeline(body, createWriteStream(partial), { signal });
    if (response.ContentLength !== undefined && bytes !== response.ContentLength) {
      throw new Error(`download ended after ${bytes} of ${response.ContentLength} bytes`);
    }
    await rename(partial, path);
    return bytes;
  } catch (error) {
    await rm(partial, { force: true });
    throw toStorageError(error, where, `downloading ${bucket}/${key}`);
  }
}

/** Multipart upload from a stream: memory stays at a few parts whatever the size. */
export async function uploadFromStream(
  client: S3Client,
  bucket: string,
  key: string,
  body: Readable,
  where: string,
  options: { contentType?: string; metadata?: Record<string, string> } = {},
): Promise<void> {
  try {
    await new Upload({
      client,
      params: { Bucket: bucket, Key: key, Body: body, ContentType: options.contentType, Metadata: options.metadata },
      queueSize: 4,
      partSize: 8 * 1024 * 1024,
      leavePartsOnError: false,
    }).done();
  } catch (error) {
    throw toStorageError(error, where, `uploading ${bucket}/${key}`);
  }
}
