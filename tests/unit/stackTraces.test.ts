/**
 * Stack traces mapped when printed (layers/core/src/runtime/stackTraces.ts); the built functions'
 * traces are checked end to end in tests/template/build.test.ts.
 */
import { describe, expect, it } from '@jest/globals';
import { mapStackTracesWhenPrinted, sharedDirectory } from '@headroom/core';

describe('sharedDirectory', () => {
  it('is the directory the build ran in, whatever the depth of the sources', () => {
    expect(
      sharedDirectory([
        '../../../tmp/tmpab12/node_modules/@middy/core/index.js',
        '../../../tmp/tmpab12/functions/evaluate/handler.ts',
        '../../../tmp/tmpab12/layers/core/src/index.ts',
      ]),
    ).toBe('../../../tmp/tmpab12/');
  });

  it('stops at a whole directory name, and is empty when the sources share none', () => {
    expect(sharedDirectory(['../build-a/x.ts', '../build-b/y.ts'])).toBe('../');
    expect(sharedDirectory(['a/x.ts', 'b/y.ts'])).toBe('');
    expect(sharedDirectory(['x.ts'])).toBe('');
    expect(sharedDirectory([])).toBe('');
  });
});

describe('mapStackTracesWhenPrinted', () => {
  it('changes nothing outside a Lambda function', () => {
    const before = Error.prepareStackTrace;
    mapStackTracesWhenPrinted({});
    expect(Error.prepareStackTrace).toBe(before);
  });
});
