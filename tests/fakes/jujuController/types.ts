/** A backup as mysql-k8s sees it in its S3 path: `finished` (has .md5), `failed` (has only a log), `in progress`. */
export interface FakeBackup {
  id: string;
  status: 'finished' | 'failed' | 'in progress';
}

/** One simulated mysql-k8s application in the fake model. */
export interface FakeMysqlAppSpec {
  name: string;
  units: number;
  /** The s3-integrator app related on `s3-parameters`; `null` for no relation. */
  s3Integrator: string | null;
  backups: FakeBackup[];
}

export interface FakeUser {
  username: string;
  password: string;
  /** Access to the fake model. `none` is refused at login as Juju does; `read` cannot run actions or scale. */
  modelAccess: 'admin' | 'write' | 'read' | 'none';
}

/** Simulated durations, small in tests. */
export interface FakeTiming {
  /** Delay before units appear/disappear after a scale request, and again before new units settle. */
  settleMs: number;
  /** Delay between the steps of an action (pending → running → each log line → done). */
  actionStepMs: number;
}

/** Switches tests flip to make the fake misbehave the way a real model can. */
export interface FakeFaults {
  /** Apps whose restore action fails after it starts (like an xbcloud failure). */
  failRestore: Set<string>;
  /** Apps whose scaling is accepted but never happens. */
  neverSettle: Set<string>;
}

/** One API call as the fake received it. Credentials in Admin.Login params are replaced by "<redacted>". */
export interface RecordedCall {
  facade: string;
  version: number;
  method: string;
  params: unknown;
}

export interface JujuErrorShape {
  message: string;
  code: string;
}
