/** One object as a listing or a HEAD describes it; shared by the SDK path and the direct requests. */
export interface ObjectInfo {
  key: string;
  size: number;
  lastModified: Date | undefined;
  etag: string | undefined;
}
