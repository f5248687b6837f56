import {
  BadRequestException,
  Controller,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import type { Request } from 'express';
import type { IntakeAcceptedDto } from '@wolfe/api-types';
import { type Environment, isEnvironment, type Wolfe } from '@wolfe/application';
import type { WolfeConfig } from '../config';
import { readRawBody } from './raw-body';
import { CONFIG, WOLFE } from './tokens';

@Controller('api/v1/events')
export class IntakeController {
  constructor(
    @Inject(WOLFE) private readonly wolfe: Wolfe,
    @Inject(CONFIG) private readonly config: WolfeConfig,
  ) {}

  /**
   * `202` means the delivery and its events are durably recorded; routing and running
   * happen after the answer. A body that cannot be read gets `400` with the reason, and
   * is kept (its delivery id is in the answer).
   */
  @Post(':source')
  @HttpCode(202)
  async accept(@Param('source') source: string, @Query('env') envParam: unknown, @Req() req: Request): Promise<IntakeAcceptedDto> {
    const env = this.environment(envParam);
    const contentType = req.headers['content-type'] ?? null;
    if (!contentType || !/^application\/([\w.+-]*\+)?json\s*(;|$)/i.test(contentType) && !/^text\/plain\s*(;|$)/i.test(contentType)) {
      // text/plain is what SNS sends for HTTP(S) subscriptions.
      throw new UnsupportedMediaTypeException(`Content-Type must be application/json (got ${contentType ?? 'none'})`);
    }
    const raw = await readRawBody(req, this.config.maxBodyBytes);
    const result = await this.wolfe.intake.accept({ source, env, contentType, body: raw.toString('utf8') });
    if (!result.ok) {
      const body = { message: result.error, deliveryId: result.deliveryId };
      if (result.reason === 'unknown_source') throw new NotFoundException({ ...body, error: 'Not Found' });
      throw new BadRequestException({ ...body, error: 'Bad Request' });
    }
    return { deliveryId: result.deliveryId, eventIds: [...result.eventIds], env };
  }

  private environment(v: unknown): Environment {
    if (v === undefined) return this.config.defaultEnv;
    if (!isEnvironment(v)) throw new BadRequestException(`query parameter env=${JSON.stringify(v)}: must be one of dev, test, prod`);
    if (!this.config.envs.includes(v)) {
      throw new BadRequestException(`query parameter env=${v}: this deployment serves ${this.config.envs.join(', ')} (WOLFE_ENVS)`);
    }
    return v;
  }
}
