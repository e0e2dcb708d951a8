// Three test projects, one base: unit specs beside the code, end-to-end and load tests in test/.
const base = {
  testEnvironment: 'node',
  rootDir: '.',
  transform: {
    '^.+\\.(t|j)s$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
          keepClassNames: true,
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs)/)'],
  setupFiles: ['<rootDir>/test/setup-logging.ts'],
};

export default {
  projects: [
    { ...base, displayName: 'unit', roots: ['<rootDir>/src'], testRegex: '\\.spec\\.ts$' },
    {
      ...base,
      displayName: 'e2e',
      roots: ['<rootDir>/test'],
      testRegex: '\\.e2e-spec\\.ts$',
      setupFilesAfterEnv: ['<rootDir>/test/setup-e2e.ts'],
    },
    {
      ...base,
      displayName: 'load',
      roots: ['<rootDir>/test'],
      testRegex: '\\.load-spec\\.ts$',
      setupFilesAfterEnv: ['<rootDir>/test/setup-load.ts'],
    },
  ],
};
