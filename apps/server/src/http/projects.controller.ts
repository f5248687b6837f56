import {
  BadRequestException,
  ConflictException,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Put,
  Query,
  Req,
  UnauthorizedException,
  UnprocessableEntityException,
  UseFilters,
} from '@nestjs/common';
import type { Request } from 'express';
import { z } from 'zod';
import type {
  LifecycleCommitResultDto,
  LifecycleRunbookDto,
  LifecycleRunbookListDto,
  ManualRunResultDto,
  ProjectDto,
  ProjectListDto,
  ProjectSyncResultDto,
  PromotionResultDto,
  RollbackResultDto,
  RunbookDiffDto,
  RunbookHistoryDto,
} from '@wolfe/api-types';
import { type Actor, ENVIRONMENTS, PROJECT_NAME_PATTERN, type RunbookLifecycle } from '@wolfe/application';
import { parseDurationMs } from '../config';
import { ProjectCreationError, type ProjectHub } from '../lifecycle/projects';
import { readJsonBody } from './json-body';
import { LifecycleErrorFilter } from './lifecycle-errors.filter';
import { LIFECYCLE, PROJECTS } from './lifecycle-tokens';
import { parseQuery } from './query';
import { readRawBody } from './raw-body';

const env = z.enum(ENVIRONMENTS);
const sha = z.string().regex(/^[0-9a-fA-F]{4,64}$/, 'must be a commit SHA (4 to 40 hex digits)');
const reason = z.string().min(1, 'give a reason').max(2000);
const override = z.strictObject({ reason });
const labels = z.record(z.string().max(256), z.string().max(16_384));

const saveBody = z.strictObject({
  manifest: z.string().max(64 * 1024),
  code: z.union([z.string().max(1024 * 1024), z.record(z.string(), z.string().max(1024 * 1024))]),
  tests: z.record(z.string(), z.string().max(1024 * 1024)).optional(),
  message: z.string().min(1, 'say what changed and why (the commit message)').max(10_000),
  baseVersion: sha.optional(),
});
const deleteBody = z.strictObject({ message: z.string().max(10_000).optional(), baseVersion: sha.optional() });
const promotionBody = z.strictObject({ from: env, to: env, reason: reason.optional(), version: sha.optional(), override: override.optional() });
const rollbackBody = z.strictObject({ env, version: sha, reason, override: override.optional() });
const runBody = z.strictObject({
  event: z
    .strictObject({
      labels,
      annotations: labels.optional(),
      status: z.enum(['firing', 'resolved']).optional(),
      startsAt: z.iso.datetime({ offset: true }).nullable().optional(),
      endsAt: z.iso.datetime({ offset: true }).nullable().optional(),
      source: z.string().min(1).max(64).optional(),
    })
    .optional(),
  eventId: z.string().regex(/^[0-9a-f-]{36}$/, 'must be an event id').optional(),
});

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'must be the NAME of an environment variable of the server (letters, digits and _), not a secret');
const absolutePath = z.string().max(4096).regex(/^\/[^\u0000-\u001f\u007f]*$/, 'must be an absolute path on the server');
const createBody = z.strictObject({
  name: z.string().regex(PROJECT_NAME_PATTERN, 'use 1 to 63 lowercase letters, digits and dashes, not starting with a dash (like a runbook name)'),
  remote: z
    .strictObject({
      url: z.string().min(1).max(2048),
      tokenEnv: envName.optional(),
      username: z.string().regex(/^[^\s:\u0000-\u001f\u007f]{1,256}$/, 'a user name without ":", spaces or control characters').optional(),
      sshKeyFile: absolutePath.optional(),
      knownHostsFile: absolutePath.optional(),
    })
    .optional(),
  pollInterval: z
    .string()
    .transform((v, ctx) => {
      const ms = parseDurationMs(v.trim());
      if (ms === null || ms < 1000 || ms > 24 * 3_600_000) {
        ctx.issues.push({ code: 'custom', input: v, message: 'write a duration from 1s to 24h, e.g. 30s or 5m' });
        return z.NEVER;
      }
      return ms;
    })
    .optional(),
  allowSkipTest: z.boolean().optional(),
  replayEvents: z.number().int().min(0).max(50).optional(),
  webhookSecretEnv: envName.optional(),
});
/**
 * Bodies of push hooks: only their signature is computed. GitHub lists at most 20 commits in a
 * push payload (typically well under 1 MB); a bound keeps unauthenticated callers cheap.
 */
const WEBHOOK_BODY_LIMIT = 5 * 1024 * 1024;

/** The display name an admin may give (informational until RBAC/SSO): no control characters, no <>. */
const ACTOR_HEADER = 'x-wolfe-actor';

/**
 * Projects and the runbook lifecycle over HTTP: projects (create, list, sync with the remote),
 * runbooks per environment branch, edits on dev, promotions, rollbacks, history and diffs,
 * manual runs. An unknown `:project` is a 404 that lists the known projects.
 */
@Controller('api/v1/projects')
@UseFilters(LifecycleErrorFilter)
export class ProjectsController {
  constructor(
    @Inject(LIFECYCLE) private readonly lifecycle: RunbookLifecycle,
    @Inject(PROJECTS) private readonly hub: ProjectHub,
  ) {}

  @Get()
  list(): Promise<ProjectListDto> {
    return this.lifecycle.projectList();
  }

  /**
   * A new project: cloned from its remote (kept in sync from then on) or empty (three branches
   * on one empty commit). Kept in the store: it survives a restart and every process serves it.
   * Secrets never come through here: `remote.tokenEnv` names the server's environment variable.
   */
  @Post()
  @HttpCode(201)
  async create(@Req() req: Request): Promise<ProjectDto> {
    const actor = actorOf(req);
    const raw = await readJsonBody(req, z.unknown());
    const remote = typeof raw === 'object' && raw !== null && 'remote' in raw ? (raw as { remote: unknown }).remote : undefined;
    if (typeof remote === 'object' && remote !== null && ('token' in remote || 'password' in remote)) {
      throw new BadRequestException("body.remote.token: the API never takes a secret: put the token in an environment variable of the Wolfe server and send its name as remote.tokenEnv (or declare the project in WOLFE_CONFIG with token: ${VAR})");
    }
    if (typeof raw === 'object' && raw !== null && 'webhookSecret' in raw) {
      throw new BadRequestException('body.webhookSecret: the API never takes a secret: put it in an environment variable of the Wolfe server and send its name as webhookSecretEnv');
    }
    const r = createBody.safeParse(raw);
    if (!r.success) {
      throw new BadRequestException(
        r.error.issues
          .slice(0, 5)
          .map((i) => `body${i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}: ${i.message}`)
          .join('; '),
      );
    }
    const b = r.data;
    try {
      await this.hub.create(
        {
          name: b.name,
          ...(b.remote ? { remote: b.remote } : {}),
          ...(b.pollInterval !== undefined ? { pollIntervalMs: b.pollInterval } : {}),
          ...(b.allowSkipTest !== undefined ? { allowSkipTest: b.allowSkipTest } : {}),
          ...(b.replayEvents !== undefined ? { replayEvents: b.replayEvents } : {}),
          ...(b.webhookSecretEnv !== undefined ? { webhookSecretEnv: b.webhookSecretEnv } : {}),
        },
        actor.principal,
      );
    } catch (err) {
      if (err instanceof ProjectCreationError) {
        if (err.reason === 'exists') throw new ConflictException(err.message);
        throw new UnprocessableEntityException(err.message);
      }
      throw err;
    }
    return this.lifecycle.project(b.name);
  }

  /**
   * Fetches the project's remote now (fast-forward only) and pushes what Wolfe committed: the
   * webhook of GitHub, GitLab or Bitbucket push hooks. Authenticated by the admin token, or —
   * without an Authorization header — by the project's webhook secret (X-Hub-Signature-256 over
   * the raw body, or X-Gitlab-Token), checked in constant time.
   */
  @Post(':project/sync')
  @HttpCode(200)
  async sync(@Param('project') project: string, @Req() req: Request): Promise<ProjectSyncResultDto> {
    const body = await readRawBody(req, WEBHOOK_BODY_LIMIT);
    if (req.headers.authorization === undefined) {
      // The guard let this through without a token: the signature is the credential.
      const check = this.hub.verifyWebhook(project, req.headers, body);
      if (!check.ok) throw new UnauthorizedException(check.reason);
    }
    return this.hub.syncNow(project);
  }

  @Get(':project')
  project(@Param('project') project: string): Promise<ProjectDto> {
    return this.lifecycle.project(project);
  }

  @Get(':project/runbooks')
  runbooks(@Param('project') project: string, @Query() query: unknown): Promise<LifecycleRunbookListDto> {
    const q = parseQuery(z.object({ env: env.default('dev') }), query);
    return this.lifecycle.list(project, q.env);
  }

  /** `?env=` (default dev) or `?version=<sha>`. */
  @Get(':project/runbooks/:name')
  runbook(@Param('project') project: string, @Param('name') name: string, @Query() query: unknown): Promise<LifecycleRunbookDto> {
    const q = parseQuery(z.object({ env: env.optional(), version: sha.optional() }), query);
    if (q.env !== undefined && q.version !== undefined) throw new BadRequestException('query parameters env and version: give one of them');
    return this.lifecycle.get(project, name, q.version !== undefined ? { version: q.version } : { env: q.env ?? 'dev' });
  }

  @Put(':project/runbooks/:name')
  async save(@Param('project') project: string, @Param('name') name: string, @Req() req: Request): Promise<LifecycleCommitResultDto> {
    const actor = actorOf(req);
    return this.lifecycle.save(project, name, await readJsonBody(req, saveBody), actor);
  }

  /** Body (optional) or query: `message`, `baseVersion`. */
  @Delete(':project/runbooks/:name')
  async remove(@Param('project') project: string, @Param('name') name: string, @Query() query: unknown, @Req() req: Request): Promise<LifecycleCommitResultDto> {
    const actor = actorOf(req);
    const q = parseQuery(deleteBody, query);
    const body = await readJsonBody(req, deleteBody, { optional: true });
    return this.lifecycle.remove(project, name, { message: body.message ?? q.message, baseVersion: body.baseVersion ?? q.baseVersion }, actor);
  }

  @Get(':project/runbooks/:name/history')
  history(@Param('project') project: string, @Param('name') name: string, @Query() query: unknown): Promise<RunbookHistoryDto> {
    const q = parseQuery(z.object({ env: env.default('dev'), limit: z.coerce.number().int().min(1).max(500).default(50), skip: z.coerce.number().int().min(0).default(0) }), query);
    return this.lifecycle.history(project, name, q.env, { limit: q.limit, skip: q.skip });
  }

  /** `?from=<env|sha>&to=<env|sha>` */
  @Get(':project/runbooks/:name/diff')
  diff(@Param('project') project: string, @Param('name') name: string, @Query() query: unknown): Promise<RunbookDiffDto> {
    const ref = z.string().regex(/^(dev|test|prod|[0-9a-fA-F]{4,64})$/, 'must be an environment (dev, test, prod) or a commit SHA');
    const q = parseQuery(z.object({ from: ref, to: ref }), query);
    return this.lifecycle.diff(project, name, q.from, q.to);
  }

  @Post(':project/runbooks/:name/promotions')
  @HttpCode(201)
  async promote(@Param('project') project: string, @Param('name') name: string, @Req() req: Request): Promise<PromotionResultDto> {
    const actor = actorOf(req);
    return this.lifecycle.promote(project, name, await readJsonBody(req, promotionBody), actor);
  }

  @Post(':project/runbooks/:name/rollbacks')
  @HttpCode(201)
  async rollback(@Param('project') project: string, @Param('name') name: string, @Req() req: Request): Promise<RollbackResultDto> {
    const actor = actorOf(req);
    return this.lifecycle.rollback(project, name, await readJsonBody(req, rollbackBody), actor);
  }

  /** A run of dev's version, by hand: answered with the queued execution's id. */
  @Post(':project/runbooks/:name/runs')
  @HttpCode(202)
  async run(@Param('project') project: string, @Param('name') name: string, @Req() req: Request): Promise<ManualRunResultDto> {
    const actor = actorOf(req);
    const body = await readJsonBody(req, runBody, { optional: true });
    return this.lifecycle.run(project, name, body, actor);
  }
}

/**
 * Who is asking. Today there is one admin token, so the principal is `admin`; `X-Wolfe-Actor`
 * names the person for the commit's author (informational until RBAC/SSO: anyone with the
 * token can send any name, and the trailers say it came through the admin token).
 */
export function actorOf(req: Request): Actor {
  const raw = req.headers[ACTOR_HEADER];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || value.trim() === '') return { principal: 'admin', displayName: null, email: 'admin@wolfe.local' };
  const name = value.trim();
  if (name.length > 100 || /[<>\u0000-\u001f\u007f]/.test(name)) {
    throw new BadRequestException('header X-Wolfe-Actor: a display name of at most 100 characters, without < > or control characters');
  }
  return { principal: 'admin', displayName: name, email: 'admin@wolfe.local' };
}
