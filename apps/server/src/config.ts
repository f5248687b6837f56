import { resolve } from 'node:path';
import { z } from 'zod';
import { ENVIRONMENTS, type Environment } from '@wolfe/application';

const envList = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
  .pipe(z.array(z.enum(ENVIRONMENTS)).min(1));

const bytes = z
  .string()
  .regex(/^\d+(kb|mb)?$/i, 'write a size such as 1mb, 512kb or 1048576')
  .transform((s) => {
    const n = parseInt(s, 10);
    return /kb$/i.test(s) ? n * 1024 : /mb$/i.test(s) ? n * 1024 * 1024 : n;
  });

/** Every setting, from environment variables, validated at start-up. */
const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  WOLFE_DATA_DIR: z.string().min(1).default('./.wolfe'),
  WOLFE_ENV: z.enum(ENVIRONMENTS).default('prod'),
  WOLFE_ENVS: envList.default([...ENVIRONMENTS]),
  WOLFE_SEED_DIR: z.string().min(1).default('./runbooks'),
  WOLFE_STUDIO_DIR: z.string().optional(),
  WOLFE_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
  WOLFE_MAX_BODY: bytes.default(1024 * 1024),
  WOLFE_REFRESH_MS: z.coerce.number().int().min(0).default(1000),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});

export interface WolfeConfig {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /** Default environment for intake (`?env=` selects another served one). */
  readonly defaultEnv: Environment;
  readonly envs: readonly Environment[];
  readonly seedDir: string;
  readonly studioDir: string | null;
  readonly concurrency: number;
  readonly maxBodyBytes: number;
  readonly refreshMs: number;
  readonly logLevel: z.infer<typeof schema>['LOG_LEVEL'];
}

export class ConfigError extends Error {}

export function loadConfig(env: Readonly<Record<string, string | undefined>>): WolfeConfig {
  const input = Object.fromEntries(Object.entries(env).filter(([k, v]) => k in schema.shape && v !== undefined && v !== ''));
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}=${JSON.stringify(env[String(i.path[0])])}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  if (!c.WOLFE_ENVS.includes(c.WOLFE_ENV)) {
    throw new ConfigError(`invalid configuration:\n  WOLFE_ENV=${c.WOLFE_ENV} must be one of WOLFE_ENVS (${c.WOLFE_ENVS.join(',')})`);
  }
  return {
    port: c.PORT,
    host: c.HOST,
    dataDir: resolve(c.WOLFE_DATA_DIR),
    defaultEnv: c.WOLFE_ENV,
    envs: c.WOLFE_ENVS,
    seedDir: resolve(c.WOLFE_SEED_DIR),
    studioDir: c.WOLFE_STUDIO_DIR ? resolve(c.WOLFE_STUDIO_DIR) : null,
    concurrency: c.WOLFE_CONCURRENCY,
    maxBodyBytes: c.WOLFE_MAX_BODY,
    refreshMs: c.WOLFE_REFRESH_MS,
    logLevel: c.LOG_LEVEL,
  };
}
