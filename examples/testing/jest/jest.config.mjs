// Plain ESM test files, no transform: run with node --experimental-vm-modules.
export default { testEnvironment: 'node', transform: {}, testMatch: ['**/*.test.mjs'] };
