/** Tests run as native ES modules straight from the TypeScript sources. */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages'],
  testMatch: ['**/src/**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^@gflownet/(core|dsl|env-hypergrid|env-molecule|env-zoo|queue|cli)$':
      '<rootDir>/packages/$1/src/index.ts',
    '^@gflownet/core/([a-z]+)$': '<rootDir>/packages/core/src/$1/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.tests.json' }],
  },
  testTimeout: 120000,
  // Most suites wait on child processes, Redis or timers: with two workers a 2-core CI machine
  // was busy 1.6 cores' worth; a third worker fills those gaps.
  maxWorkers: 3,
};
