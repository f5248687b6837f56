import { BadRequestException, Controller, Delete, Get, HttpCode, Inject, NotFoundException, Param, Put, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { z } from 'zod';
import { ENVIRONMENTS, SECRET_NAME, SecretValidationError, type Environment, type SecretService } from '@wolfe/application';
import type { ProjectHub } from '../lifecycle/projects';
import { readJsonBody } from './json-body';
import { PROJECTS } from './lifecycle-tokens';
import { actorOf } from './projects.controller';
import { parseQuery } from './query';

/** Injection token of the SecretService. */
export const SECRETS = Symbol('SecretService');

/** A secret as the API shows it: never its value. */
export interface SecretInfoDto {
  readonly name: string;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

export interface SecretListDto {
  readonly project: string;
  readonly env: Environment;
  readonly secrets: readonly SecretInfoDto[];
}

export interface SecretPutResultDto extends SecretInfoDto {
  readonly project: string;
  readonly env: Environment;
}

const envQuery = z.strictObject({ env: z.enum(ENVIRONMENTS, { error: `give the environment: ?env=${ENVIRONMENTS.join('|')} (secrets are set per environment)` }) });
/** The value is never echoed back, not even in a validation error. */
const putBody = z.strictObject({ value: z.string({ error: 'body.value must be the secret as a string' }) });
const SECRET_BODY_LIMIT = 64 * 1024;

/**
 * The secrets of a project, per environment, for `ctx.secrets.get(name)`. Values are written
 * (`PUT`) and deleted, never read back: the list shows names and when they changed. Values are
 * encrypted before they are stored (AES-256-GCM, key in `<data dir>/secret-key` or
 * `WOLFE_SECRET_KEY`). A runbook reads only the secrets its runbook.yaml declares.
 */
@Controller('api/v1/projects/:project/secrets')
export class SecretsController {
  constructor(
    @Inject(SECRETS) private readonly secrets: SecretService,
    @Inject(PROJECTS) private readonly hub: ProjectHub,
  ) {}

  @Get()
  async list(@Param('project') project: string, @Query() query: unknown): Promise<SecretListDto> {
    const { env } = parseQuery(envQuery, query);
    this.known(project);
    const items = await this.secrets.list(project, env);
    return { project, env, secrets: items.map((s) => ({ name: s.name, updatedAt: s.updatedAt, updatedBy: s.updatedBy })) };
  }

  @Put(':name')
  @HttpCode(200)
  async put(@Param('project') project: string, @Param('name') name: string, @Query() query: unknown, @Req() req: Request): Promise<SecretPutResultDto> {
    const { env } = parseQuery(envQuery, query);
    this.known(project);
    checkName(name);
    const actor = actorOf(req);
    const { value } = await readJsonBody(req, putBody, { limit: SECRET_BODY_LIMIT });
    try {
      const info = await this.secrets.put(project, env, name, value, actor.displayName ?? actor.principal);
      return { project, env, name: info.name, updatedAt: info.updatedAt, updatedBy: info.updatedBy };
    } catch (err) {
      if (err instanceof SecretValidationError) throw new BadRequestException(err.message);
      throw err;
    }
  }

  @Delete(':name')
  @HttpCode(204)
  async delete(@Param('project') project: string, @Param('name') name: string, @Query() query: unknown): Promise<void> {
    const { env } = parseQuery(envQuery, query);
    this.known(project);
    checkName(name);
    if (!(await this.secrets.delete(project, env, name))) throw new NotFoundException(`project ${project} has no secret ${name} in ${env}`);
  }

  private known(project: string): void {
    if (this.hub.get(project) !== null || this.hub.unavailable().some((p) => p.name === project)) return;
    throw new NotFoundException(`no project ${JSON.stringify(project.slice(0, 100))}; the projects are ${this.hub.names().join(', ')}`);
  }
}

function checkName(name: string): void {
  if (!SECRET_NAME.test(name)) throw new BadRequestException(`secret name ${JSON.stringify(name.slice(0, 140))} is invalid: use letters, digits and _, starting with a letter or _ (at most 128), e.g. SLACK_TOKEN`);
}
