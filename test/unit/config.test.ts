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

  describe('the base URLs the hub answers on (token audiences)', () => {
    const production = {
      NODE_ENV: 'production', DATABASE_URL: 'postgres://db/hub', REDIS_URL: 'redis://cache:6379',
      HUB_SIGNING_JWKS: '{"keys":[]}', HUB_DATA_KEYS: 'k1:AAAA', HUB_ADMIN_JWKS: '{"keys":[]}',
    };

    it('by default: localhost, 127.0.0.1 and [::1] on the port, the public URL first', () => {
      expect(parseConfig({ PORT: '9090' }).publicUrls).toEqual(['http://localhost:9090', 'http://127.0.0.1:9090', 'http://[::1]:9090']);
    });

    it('outside production, a public URL on a real name also answers to loopback on the listening port', () => {
      const urls = parseConfig({ HUB_PUBLIC_URL: 'https://hub.example.org/', PORT: '9000' }).publicUrls;
      expect(urls[0]).toBe('https://hub.example.org');
      expect(urls).toEqual(expect.arrayContaining(['http://127.0.0.1:9000', 'http://localhost:9000', 'http://[::1]:9000']));
    });

    it('in production, a public URL on a real name answers to that name and the listed others only', () => {
      expect(parseConfig({ ...production, HUB_PUBLIC_URL: 'https://hub.example.org' }).publicUrls).toEqual(['https://hub.example.org']);
      expect(parseConfig({ ...production, HUB_PUBLIC_URL: 'https://hub.example.org', HUB_ALSO_PUBLIC_URLS: 'https://hub.internal:8443/, https://10.0.0.5' }).publicUrls)
        .toEqual(['https://hub.example.org', 'https://hub.internal:8443', 'https://10.0.0.5']);
    });

    it('in production, a loopback public URL keeps its loopback twins on the same port (a hub behind a local proxy)', () => {
      expect(parseConfig({ ...production, HUB_PUBLIC_URL: 'http://127.0.0.1:8080' }).publicUrls)
        .toEqual(['http://127.0.0.1:8080', 'http://localhost:8080', 'http://[::1]:8080']);
    });

    it('names HUB_ALSO_PUBLIC_URLS when one of them is not an http(s) base URL', () => {
      for (const bad of ['ftp://files.example', 'hub.example.org', 'https://hub.example.org/?a=1']) {
        expect(() => parseConfig({ HUB_ALSO_PUBLIC_URLS: `https://ok.example, ${bad}` }), bad).toThrow(/HUB_ALSO_PUBLIC_URLS/);
      }
    });
  });
});
