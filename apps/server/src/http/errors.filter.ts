import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Inject } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { ApiErrorDto } from '@wolfe/api-types';
import type { Logger } from '@wolfe/application';
import { LOGGER } from './tokens';

/** One error shape for every route: `{ statusCode, error, message }`; 5xx details stay in the logs. */
@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<Request>();
    let body: ApiErrorDto;
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const r = exception.getResponse();
      const obj = typeof r === 'object' && r !== null ? (r as Record<string, unknown>) : {};
      const message = Array.isArray(obj['message']) ? obj['message'].join('; ') : String(obj['message'] ?? exception.message);
      body = { statusCode: status, error: String(obj['error'] ?? HttpStatus[status] ?? 'Error'), message };
      if (typeof obj['deliveryId'] === 'string') body.deliveryId = obj['deliveryId'];
    } else {
      this.logger.error({ method: req.method, path: req.path, err: exception instanceof Error ? exception.stack : String(exception) }, 'unhandled error');
      body = { statusCode: 500, error: 'Internal Server Error', message: 'internal error; see the server log' };
    }
    res.status(body.statusCode).json(body);
  }
}
