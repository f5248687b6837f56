import { type ArgumentsHost, Catch, type ExceptionFilter, Inject } from '@nestjs/common';
import type { Response } from 'express';
import type { RunbookConflictDto, RunbookRejectedDto } from '@wolfe/api-types';
import {
  commitDto,
  gateDto,
  LifecycleConflictError,
  LifecycleError,
  LifecycleGatesFailedError,
  LifecycleInvalidError,
  type Logger,
  problemDto,
} from '@wolfe/application';
import { InvalidArgumentError, RefNotFoundError } from '@wolfe/git';
import { ApiErrorFilter } from './errors.filter';
import { LOGGER } from './tokens';

const STATUS: Record<LifecycleError['kind'], [number, string]> = {
  'not-found': [404, 'Not Found'],
  'bad-request': [400, 'Bad Request'],
  conflict: [409, 'Conflict'],
  invalid: [422, 'Unprocessable Entity'],
  refused: [422, 'Unprocessable Entity'],
  'gates-failed': [422, 'Unprocessable Entity'],
  busy: [503, 'Service Unavailable'],
};

/**
 * The lifecycle routes' errors: the usual `{ statusCode, error, message }`, plus what the
 * caller acts on — the problems (file, line) or gates of a 422, what changed since the base
 * version for a 409. Everything else goes to the application-wide filter.
 */
@Catch()
export class LifecycleErrorFilter implements ExceptionFilter {
  private readonly fallback: ApiErrorFilter;

  constructor(@Inject(LOGGER) logger: Logger) {
    this.fallback = new ApiErrorFilter(logger);
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (exception instanceof LifecycleError) {
      const [statusCode, error] = STATUS[exception.kind];
      if (exception instanceof LifecycleConflictError) {
        const c = exception.changes;
        const body: RunbookConflictDto = {
          statusCode,
          error,
          message: exception.message,
          baseVersion: c?.baseVersion ?? '',
          currentVersion: c?.currentVersion ?? null,
          commits: (c?.commits ?? []).map(commitDto),
          files: (c?.diff.files ?? []).map((f) => ({ ...f })),
          diff: c?.diff.text ?? '',
        };
        res.status(statusCode).json(body);
        return;
      }
      const body: RunbookRejectedDto = { statusCode, error, message: exception.message };
      if (exception instanceof LifecycleInvalidError) body.problems = exception.problems.map(problemDto);
      if (exception instanceof LifecycleGatesFailedError) body.gates = exception.gates.map(gateDto);
      if (statusCode === 503) res.setHeader('Retry-After', '1');
      res.status(statusCode).json(body);
      return;
    }
    // A ref or path git refused before running (validated upstream; kept as a 4xx if it slips through).
    if (exception instanceof RefNotFoundError) {
      res.status(404).json({ statusCode: 404, error: 'Not Found', message: exception.message });
      return;
    }
    if (exception instanceof InvalidArgumentError) {
      res.status(400).json({ statusCode: 400, error: 'Bad Request', message: exception.message });
      return;
    }
    this.fallback.catch(exception, host);
  }
}
