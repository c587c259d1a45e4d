import { parseExecStatus } from '../../../src/kube/execStatus';
import { parseDfOutput } from '../../../src/kube/freeSpace';
import { MLMD_CONTAINER_NAMES, pickContainer } from '../../../src/kube/pods';
import { RestoreError } from '../../../src/errors';

describe('parseExecStatus', () => {
  test('Success is exit code 0', () => {
    expect(parseExecStatus('{"metadata":{},"status":"Success"}')).toEqual({ kind: 'exited', exitCode: 0 });
  });
  test('NonZeroExitCode carries the code in the ExitCode cause', () => {
    const text = JSON.stringify({
      metadata: {},
      status: 'Failure',
      message: 'command terminated with non-zero exit code: error executing command [false], exit code 1',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '137' }] },
    });
    expect(parseExecStatus(text)).toEqual({ kind: 'exited', exitCode: 137 });
  });
  test('a failure without an exit code is an error with the server message', () => {
    const text = JSON.stringify({ metadata: {}, status: 'Failure', message: 'container not found ("mlmd")', reason: 'InternalError', code: 500 });
    expect(parseExecStatus(text)).toEqual({ kind: 'error', message: 'container not found ("mlmd")' });
  });
  test('garbage is an error, not success', () => {
    expect(parseExecStatus('not json').kind).toBe('error');
    expect(parseExecStatus('null').kind).toBe('error');
    expect(parseExecStatus('{"status":"Failure","details":{"causes":[{"reason":"ExitCode","message":"x"}]}}').kind).toBe('error');
  });
});

describe('parseDfOutput', () => {
  test('coreutils df -Pk', () => {
    const out = 'Filesystem     1024-blocks     Used Available Capacity Mounted on\n/dev/vda         264212084 25567628  80823284      25% /\n';
    expect(parseDfOutput(out)).toEqual({
      filesystem: '/dev/vda',
      mountPoint: '/',
      totalBytes: 264212084 * 1024,
      usedBytes: 25567628 * 1024,
      availableBytes: 80823284 * 1024,
    });
  });
  test('busybox header and a mount point with spaces', () => {
    const out = 'Filesystem           1024-blocks    Used Available Capacity Mounted on\noverlay 1000 10 990 1% /var/lib/juju storage/data\n';
    expect(parseDfOutput(out)).toMatchObject({ filesystem: 'overlay', availableBytes: 990 * 1024, mountPoint: '/var/lib/juju storage/data' });
  });
  test('unexpected output is a RestoreError', () => {
    expect(() => parseDfOutput('')).toThrow(RestoreError);
    expect(() => parseDfOutput('Filesystem 1K-blocks Used Available Use% Mounted on\n/dev/x 1 1 1 1% /\n')).toThrow(/header/);
    expect(() => parseDfOutput('Filesystem 1024-blocks Used Available Capacity Mounted on\n')).toThrow(/Cannot read/);
    expect(() => parseDfOutput('Filesystem 1024-blocks Used Available Capacity Mounted on\nproc - - - - /proc\n')).toThrow(/Cannot read/);
  });
});

describe('pickContainer', () => {
  test('prefers mlmd-grpc-server, accepts mlmd, else undefined', () => {
    expect(pickContainer(['charm', 'mlmd-grpc-server'], MLMD_CONTAINER_NAMES)).toBe('mlmd-grpc-server');
    expect(pickContainer(['mlmd', 'mlmd-grpc-server'], MLMD_CONTAINER_NAMES)).toBe('mlmd-grpc-server');
    expect(pickContainer(['mlmd'], MLMD_CONTAINER_NAMES)).toBe('mlmd');
    expect(pickContainer(['charm', 'mlmd-sidecar'], MLMD_CONTAINER_NAMES)).toBeUndefined();
  });
});
