/**
 * Where an S3-compatible store is and how to talk to it. Built from relation data (src/relations/),
 * consumed by the storage engine, which knows nothing of Juju.
 */
export interface S3Endpoint {
  /** Full URL (`https://s3.eu-central-1.amazonaws.com`, `http://minio.kubeflow.svc.cluster.local:9000`); undefined = AWS default for the region. */
  endpoint: string | undefined;
  region: string;
  /** true: `https://host/bucket/key` (MinIO, most RadosGW); false: `https://bucket.host/key`. */
  forcePathStyle: boolean;
  accessKeyId: string;
  secretAccessKey: string;
  /** Extra CA certificates (PEM) to trust, from s3-integrator's `tls-ca-chain`. */
  caCertificates: string[] | undefined;
}

/** A bucket plus a key prefix inside it ('' for the whole bucket; otherwise no leading slash, ends with '/'). */
export interface S3Location {
  bucket: string;
  prefix: string;
}
