/** Jest in ESM mode: @middy/core 7 is ESM-only, so tests run under --experimental-vm-modules. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  moduleNameMapper: {
    '^@headroom/core$': '<rootDir>/layers/core/src/index.ts',
    '^@headroom/core/(.*?)(\\.js)?$': '<rootDir>/layers/core/src/$1',
    '^@headroom/lab/(.*?)(\\.js)?$': '<rootDir>/lab/$1',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      { useESM: true, tsconfig: 'tsconfig.json', diagnostics: { ignoreCodes: [151002] } },
    ],
  },
  testTimeout: 30000,
  reporters: ['default', '<rootDir>/tests/support/summaryReporter.cjs'],
};
