import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('has embedded defaults that need no external service', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 8080, defaultEnv: 'prod', envs: ['dev', 'test', 'prod'], maxBodyBytes: 1024 * 1024 });
    expect(c.dataDir.endsWith('.wolfe')).toBe(true);
  });

  it('parses lists and sizes', () => {
    const c = loadConfig({ WOLFE_ENVS: 'test, prod', WOLFE_ENV: 'test', WOLFE_MAX_BODY: '256kb', PORT: '0' });
    expect(c).toMatchObject({ envs: ['test', 'prod'], defaultEnv: 'test', maxBodyBytes: 256 * 1024, port: 0 });
  });

  it('names the variable, the value and the fix', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT="eighty"/);
    expect(() => loadConfig({ WOLFE_ENV: 'staging' })).toThrow(/WOLFE_ENV="staging"/);
    expect(() => loadConfig({ WOLFE_MAX_BODY: 'huge' })).toThrow(/write a size such as 1mb/);
    expect(() => loadConfig({ WOLFE_ENVS: 'dev', WOLFE_ENV: 'prod' })).toThrow(ConfigError);
  });
});
