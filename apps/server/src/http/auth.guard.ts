import { type CanActivate, type ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { tokenMatches } from '../admin-token';
import { ADMIN_TOKEN } from './tokens';

/** Every /api route needs `Authorization: Bearer <token>`; nothing else is open but /healthz and the Studio's files. */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(@Inject(ADMIN_TOKEN) private readonly token: string) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    if (!req.path.startsWith('/api/')) return true;
    const header = req.headers.authorization;
    if (!header) throw new UnauthorizedException('missing Authorization header: send "Authorization: Bearer <token>" (the admin token is in <data dir>/admin-token)');
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m?.[1]) throw new UnauthorizedException('Authorization header must be "Bearer <token>"');
    if (!tokenMatches(this.token, m[1])) throw new UnauthorizedException('invalid token');
    return true;
  }
}
