import { devNull } from 'node:os';
import { InvalidArgumentError } from './errors';

/**
 * How to authenticate to a remote. The secret is handed to the one git process that needs it
 * (through its environment) and never written to the repository's config, a URL, argv or a log.
 */
export type RemoteAuth =
  | {
      readonly kind: 'token';
      /** An access token (GitHub, GitLab, Gitea, Bitbucket …). */
      readonly token: string;
      /** Basic-auth user sent with the token; default `x-access-token` (GitHub; GitLab takes `oauth2`). */
      readonly username?: string;
      /** `basic` (default): `Authorization: Basic base64(user:token)`; `bearer`: `Authorization: Bearer <token>`. */
      readonly scheme?: 'basic' | 'bearer';
    }
  | {
      readonly kind: 'ssh';
      /** Absolute path of the private key (no passphrase: nothing can prompt). */
      readonly privateKeyPath: string;
      /** Absolute path of a known_hosts file; default: ssh's own (~/.ssh/known_hosts). Host keys are always checked. */
      readonly knownHostsPath?: string;
    };

export interface RemoteSpec {
  /** https://, http://, ssh://, scp-like `git@host:org/repo.git`, file:// or an absolute local path. Never with a password or token in it. */
  readonly url: string;
  readonly auth?: RemoteAuth;
}

/** What a remote git command needs on top of the repository's own settings. */
export interface RemoteInvocation {
  /** Global options placed before the subcommand. */
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** GIT_* variables set here (simple-git drops the others). */
  readonly allowEnvironment: readonly string[];
  readonly unsafe: { readonly allowUnsafeSshCommand?: boolean; readonly allowUnsafeConfigPaths?: boolean };
  /** Strings that must not appear in any message we pass on. */
  readonly secrets: readonly string[];
}

const HEADER_ENV = 'WOLFE_GIT_HTTP_AUTH_HEADER';
const SCP_LIKE = /^([A-Za-z0-9._-]+@)?[A-Za-z0-9.-]+:(?!\/\/)[^\s]+$/;

/** Refuses URLs git could misread as options or run programs for, and URLs carrying a secret. */
export function assertRemoteUrl(url: string): void {
  const bad = (why: string): never => {
    throw new InvalidArgumentError(`remote URL ${JSON.stringify(redactUrl(url))}: ${why}`);
  };
  if (url === '' || url.length > 2048) bad('must be 1 to 2048 characters');
  if (/[\s\u0000-\u001f\u007f]/.test(url)) bad('must not contain spaces or control characters');
  if (url.startsWith('-')) bad('must not start with "-"');
  if (url.startsWith('/')) return; // a local bare repository
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    if (SCP_LIKE.test(url) && !url.includes('::')) return;
    bad('use https://…, ssh://…, git@host:path, file:///… or an absolute path');
  }
  if (!['https', 'http', 'ssh', 'file'].includes(scheme as string)) bad(`the ${scheme} transport is not allowed (https, http, ssh, file)`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return bad('is not a valid URL');
  }
  if (parsed.password !== '') bad('contains a password or token: give the token as the remote\'s auth instead (it is never stored in the URL or the git config)');
  if ((scheme === 'https' || scheme === 'http') && parsed.username !== '') {
    bad('contains a user name: give the token (and user) as the remote\'s auth instead');
  }
}

/** The URL without a password (for messages). */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/@\s]*)@/i, (_m, scheme: string, userinfo: string) => {
    const user = userinfo.split(':', 1)[0] ?? '';
    return userinfo.includes(':') || /^https?:/i.test(scheme) ? `${scheme}***@` : `${scheme}${user}@`;
  });
}

/** Removes every secret (and anything that looks like an Authorization header value) from a text. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('***');
  return out.replace(/(Authorization:\s*(Basic|Bearer)\s+)\S+/gi, '$1***').replace(/(https?:\/\/)[^/@\s]+@/gi, '$1***@');
}

/** Shell-quotes a path for GIT_SSH_COMMAND (which git runs through sh). */
function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function assertAbsolutePath(p: string, what: string): void {
  if (!p.startsWith('/') || /[\u0000-\u001f\u007f]/.test(p)) throw new InvalidArgumentError(`${what} must be an absolute path without control characters`);
}

export function remoteInvocation(auth: RemoteAuth | undefined): RemoteInvocation {
  // The user's global git config (credential helpers, url.insteadOf, …) plays no part.
  const base = {
    args: ['-c', 'http.lowSpeedLimit=1000', '-c', 'http.lowSpeedTime=60'],
    env: { GIT_CONFIG_GLOBAL: devNull },
    allowEnvironment: ['GIT_CONFIG_GLOBAL'],
    unsafe: { allowUnsafeConfigPaths: true },
    secrets: [] as string[],
  };
  if (auth === undefined) return base;
  if (auth.kind === 'token') {
    const token = auth.token;
    if (token === '' || /[\s\u0000-\u001f\u007f]/.test(token)) throw new InvalidArgumentError('the remote token is empty or contains spaces or control characters');
    const user = auth.username ?? 'x-access-token';
    if (user === '' || /[\s:\u0000-\u001f\u007f]/.test(user)) throw new InvalidArgumentError('the remote user name is empty or contains ":", spaces or control characters');
    const basic = Buffer.from(`${user}:${token}`, 'utf8').toString('base64');
    const header = auth.scheme === 'bearer' ? `Authorization: Bearer ${token}` : `Authorization: Basic ${basic}`;
    return {
      ...base,
      // --config-env: argv names the variable, only the git process's environment holds the value.
      args: [...base.args, `--config-env=http.extraHeader=${HEADER_ENV}`],
      env: { ...base.env, [HEADER_ENV]: header },
      secrets: [token, basic, header],
    };
  }
  assertAbsolutePath(auth.privateKeyPath, 'privateKeyPath');
  if (auth.knownHostsPath !== undefined) assertAbsolutePath(auth.knownHostsPath, 'knownHostsPath');
  const ssh = [
    'ssh',
    '-i',
    shellQuote(auth.privateKeyPath),
    '-o IdentitiesOnly=yes',
    '-o BatchMode=yes',
    '-o StrictHostKeyChecking=yes',
    ...(auth.knownHostsPath !== undefined ? [`-o UserKnownHostsFile=${shellQuote(auth.knownHostsPath)}`] : []),
  ].join(' ');
  return {
    ...base,
    env: { ...base.env, GIT_SSH_COMMAND: ssh },
    allowEnvironment: [...base.allowEnvironment, 'GIT_SSH_COMMAND'],
    unsafe: { ...base.unsafe, allowUnsafeSshCommand: true },
  };
}
