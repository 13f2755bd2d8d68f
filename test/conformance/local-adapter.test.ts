import { LocalAdapter } from '../../src/adapter/local.ts';
import { adapterContract } from './adapter.suite.ts';

adapterContract('LocalAdapter', { maxNodes: 1, make: async () => [new LocalAdapter()] });
