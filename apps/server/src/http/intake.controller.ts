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
  UnauthorizedException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import type { Request } from 'express';
import type { IntakeAcceptedDto } from '@wolfe/api-types';
import { type Environment, type IntakeRequest, isEnvironment, type Logger, type Wolfe } from '@wolfe/application';
import type { WolfeConfig } from '../config';
import { RejectionBudget } from '../intake/rejection-budget';
import { type SignatureVerifier, signatureVerifiers } from '../intake/signatures';
import { readRawBody } from './raw-body';
import { CONFIG, LOGGER, WOLFE } from './tokens';

/** The 202 answer; an SNS subscription confirmation adds the URL to confirm it with. */
export type IntakeAnswer = IntakeAcceptedDto;

@Controller('api/v1/events')
export class IntakeController {
  private readonly verifiers: ReadonlyMap<string, SignatureVerifier>;
  private readonly budget = new RejectionBudget();

  constructor(
    @Inject(WOLFE) private readonly wolfe: Wolfe,
    @Inject(CONFIG) private readonly config: WolfeConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.verifiers = signatureVerifiers(config.sources);
  }

  /**
   * `202` means the delivery and its events are durably recorded; routing and running
   * happen after the answer. A body that cannot be read gets `400` with the reason, and
   * is kept (its delivery id is in the answer). A source with a configured secret is
   * authenticated here by its signature (the auth guard lets it through without the admin
   * token): a missing or wrong one gets `401` with the reason, and is kept too.
   */
  @Post(':source')
  @HttpCode(202)
  async accept(@Param('source') source: string, @Query('env') envParam: unknown, @Req() req: Request): Promise<IntakeAnswer> {
    const env = this.environment(envParam);
    const contentType = req.headers['content-type'] ?? null;
    if (!contentType || !/^application\/([\w.+-]*\+)?json\s*(;|$)/i.test(contentType) && !/^text\/plain\s*(;|$)/i.test(contentType)) {
      // text/plain is what SNS sends for HTTP(S) subscriptions.
      throw new UnsupportedMediaTypeException(`Content-Type must be application/json (got ${contentType ?? 'none'})`);
    }
    const raw = await readRawBody(req, this.config.maxBodyBytes);
    const request: IntakeRequest = { source, env, contentType, body: raw.toString('utf8') };

    const verifier = this.verifiers.get(source);
    if (verifier) {
      const check = verifier.verify(req.headers, raw, Date.now());
      if (!check.ok) return this.unauthenticated(request, check.reason);
    }

    const result = await this.wolfe.intake.accept(request);
    if (!result.ok) {
      const body = { message: result.error, deliveryId: result.deliveryId };
      if (result.reason === 'unknown_source') throw new NotFoundException({ ...body, error: 'Not Found' });
      throw new BadRequestException({ ...body, error: 'Bad Request' });
    }
    const answer: IntakeAnswer = { deliveryId: result.deliveryId, eventIds: [...result.eventIds], env };
    if (result.subscribeUrl !== undefined) {
      this.logger.info(
        { deliveryId: result.deliveryId, source, env },
        'SNS subscription confirmation recorded, not confirmed: GET its SubscribeURL once to confirm (the URL is in the delivery and in the 202 answer)',
      );
      return {
        ...answer,
        subscribeUrl: result.subscribeUrl,
        message: 'SNS subscription confirmation recorded; Wolfe does not confirm it by itself: GET subscribeUrl once (e.g. curl -fsS "<subscribeUrl>") or paste it in the SNS console (Subscriptions → Confirm subscription)',
      };
    }
    return answer;
  }

  private async unauthenticated(request: IntakeRequest, reason: string): Promise<never> {
    const now = Date.now();
    if (!this.budget.take(request.source, now)) {
      const dropped = this.budget.dueWarning(request.source, now);
      if (dropped > 0) this.logger.warn({ source: request.source, dropped }, `${dropped} unauthenticated deliveries to ${request.source} were refused without a record (more than the rejection budget)`);
      throw new UnauthorizedException({ error: 'Unauthorized', message: `${reason} (not recorded: too many unauthenticated deliveries to ${request.source}; see the log)` });
    }
    const rejected = await this.wolfe.intake.reject(request, 'unauthenticated', reason);
    throw new UnauthorizedException({ error: 'Unauthorized', message: rejected.error, deliveryId: rejected.deliveryId });
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
