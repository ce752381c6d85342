import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../config/config.js';

describe('configuration', () => {
  it('works with no variables at all, with local defaults', () => {
    const config = parseConfig({});
    expect(config).toMatchObject({ PORT: 8080, HUB_ROLE: 'all', publicUrl: 'http://localhost:8080', production: false, HUB_RATE_LIMIT_RPS: 100 });
    expect(config.HUB_DELIVERY_SCHEDULE).toEqual([0, 5, 300, 1800, 7200, 18000, 36000, 36000]);
  });

  it('names the variable that is wrong', () => {
    expect(() => parseConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => parseConfig({ HUB_ROLE: 'both' })).toThrow(/HUB_ROLE/);
    expect(() => parseConfig({ DATABASE_URL: 'mysql://x/y' })).toThrow(/DATABASE_URL/);
    expect(() => parseConfig({ HUB_DELIVERY_SCHEDULE: '0,soon' })).toThrow(/HUB_DELIVERY_SCHEDULE/);
  });

  it('refuses to start in production without the keys, naming the missing one', () => {
    const complete = {
      NODE_ENV: 'production', DATABASE_URL: 'postgres://db/hub', REDIS_URL: 'redis://cache:6379',
      HUB_SIGNING_JWKS: '{"keys":[]}', HUB_DATA_KEYS: 'k1:AAAA', HUB_ADMIN_JWKS: '{"keys":[]}',
    };
    expect(() => parseConfig(complete)).not.toThrow();
    for (const name of ['HUB_SIGNING_JWKS', 'HUB_DATA_KEYS', 'HUB_ADMIN_JWKS', 'DATABASE_URL', 'REDIS_URL'] as const) {
      const { [name]: _missing, ...rest } = complete;
      expect(() => parseConfig(rest), name).toThrow(ConfigError);
      expect(() => parseConfig(rest), name).toThrow(new RegExp(name));
    }
  });
});
