import { describe, expect, it } from 'vitest';
import { clusterSeeds, isCluster } from './link.ts';

describe('Redis targets', () => {
  it('reads seed nodes given as host:port', () => {
    expect(clusterSeeds(['10.0.0.1:7000', 'redis-b:7001'])).toEqual({
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: 'redis-b', port: 7001 },
      ],
      auth: {},
    });
  });

  it('takes the password and TLS of a seed URL for every node', () => {
    expect(clusterSeeds(['rediss://app:s%40cret@10.0.0.1:6380', '10.0.0.2:6380'])).toEqual({
      nodes: [
        { host: '10.0.0.1', port: 6380 },
        { host: '10.0.0.2', port: 6380 },
      ],
      auth: { username: 'app', password: 's@cret', tls: {} },
    });
  });

  it('is a cluster only when seed nodes are set', () => {
    expect(isCluster({ url: 'redis://127.0.0.1:6379' })).toBe(false);
    expect(isCluster({ url: 'redis://127.0.0.1:6379', cluster: null })).toBe(false);
    expect(isCluster({ cluster: ['127.0.0.1:7000'] })).toBe(true);
  });
});
