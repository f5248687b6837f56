import { type CanActivate, type ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { tokenDigest, tokenMatches } from '../admin-token';
import type { WolfeConfig } from '../config';
import { signedSources } from '../intake/signatures';
import { IntakeController } from './intake.controller';
import { ProjectsController } from './projects.controller';
import { ADMIN_TOKEN, CONFIG, INTAKE_TOKEN } from './tokens';

/**
 * Every /api route needs `Authorization: Bearer <token>`; nothing else is open but /healthz
 * and the Studio's files. Two exceptions on the intake route (`POST /api/v1/events/{source}`):
 * - a source with a configured secret (sources.* in WOLFE_CONFIG) is authenticated by its
 *   signature instead, checked by the controller over the raw body (PagerDuty and Grafana
 *   cannot send our token);
 * - `Authorization: Basic base64(<any user>:<token>)` is accepted too, because SNS HTTPS
 *   subscriptions and Alertmanager's basic_auth can only send credentials that way;
 * - the intake token (`<data dir>/intake-token`) is accepted there, and only there: alert
 *   senders' configurations (and SNS subscription URLs) hold a token that cannot read or
 *   change anything.
 * And on a project's sync webhook (`POST /api/v1/projects/:project/sync`): a request without
 * an Authorization header goes on to the controller, which requires the project's webhook
 * signature instead (GitHub, GitLab and Bitbucket cannot send our token).
 */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  private readonly signed: ReadonlySet<string>;
  private readonly adminDigest: Buffer;
  private readonly intakeDigest: Buffer;

  constructor(
    @Inject(ADMIN_TOKEN) token: string,
    @Inject(INTAKE_TOKEN) intakeToken: string,
    @Inject(CONFIG) config: WolfeConfig,
  ) {
    this.adminDigest = tokenDigest(token);
    this.intakeDigest = tokenDigest(intakeToken);
    this.signed = signedSources(config.sources);
  }

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    // Express matches routes case-insensitively: so does this check.
    if (!req.path.toLowerCase().startsWith('/api/')) return true;
    const intake = context.getClass() === IntakeController && context.getHandler() === IntakeController.prototype.accept;
    // The route parameter as the controller receives it: the controller then requires the signature.
    if (intake && typeof req.params['source'] === 'string' && this.signed.has(req.params['source'])) return true;
    const webhook = context.getClass() === ProjectsController && context.getHandler() === ProjectsController.prototype.sync;
    if (webhook && req.headers.authorization === undefined) return true;

    const header = req.headers.authorization;
    if (!header) throw new UnauthorizedException('missing Authorization header: send "Authorization: Bearer <token>" (the admin token is in <data dir>/admin-token)');
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (bearer?.[1]) {
      if (this.accepts(bearer[1], intake)) return true;
      throw new UnauthorizedException(!intake && tokenMatches(this.intakeDigest, bearer[1]) ? 'the intake token can only send events (POST /api/v1/events/{source}); use the admin token' : 'invalid token');
    }
    const basic = intake ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null;
    if (basic?.[1]) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0 || !this.accepts(decoded.slice(colon + 1), true)) throw new UnauthorizedException('invalid credentials: the basic-auth password must be the intake or admin token');
      return true;
    }
    throw new UnauthorizedException(`Authorization header must be "Bearer <token>"${intake ? ' (or basic auth with the token as password)' : ''}`);
  }

  private accepts(presented: string, intake: boolean): boolean {
    // Both comparisons always run: which token matched leaks nothing through timing.
    const digest = tokenDigest(presented);
    const admin = tokenMatches(this.adminDigest, digest);
    const sender = tokenMatches(this.intakeDigest, digest);
    return admin || (intake && sender);
  }
}
