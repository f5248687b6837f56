import { ConfigError, loadConfig } from '../config';

const load = (yaml: string) => loadConfig({ WOLFE_CONFIG: '/etc/wolfe.yaml' }, { readFile: () => yaml });

describe('prometheus: in WOLFE_CONFIG', () => {
  it('reads the base URL; none by default', () => {
    expect(load('prometheus:\n  url: http://prometheus:9090\n').prometheus).toEqual({ url: 'http://prometheus:9090' });
    expect(loadConfig({}).prometheus).toBeNull();
    expect(load('heartbeats: []\n').prometheus).toBeNull();
  });

  it('refuses a URL that is not http(s), has credentials, or unknown keys', () => {
    expect(() => load('prometheus:\n  url: ftp://prometheus\n')).toThrow(ConfigError);
    expect(() => load('prometheus:\n  url: http://user:pw@prometheus:9090\n')).toThrow(/prometheus\.url/);
    expect(() => load('prometheus:\n  url: http://prometheus:9090\n  token: x\n')).toThrow(/unknown setting: known keys here: url/);
  });
});
