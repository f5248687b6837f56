import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import type { Logger, RunbookLifecycle, SecretService, Wolfe } from '@wolfe/application';
import type { WolfeConfig } from './config';
import { BearerAuthGuard } from './http/auth.guard';
import { ApiErrorFilter } from './http/errors.filter';
import { EventsController } from './http/events.controller';
import { ExecutionsController } from './http/executions.controller';
import { HealthController } from './http/health.controller';
import { IntakeController } from './http/intake.controller';
import { LIFECYCLE, PROJECTS } from './http/lifecycle-tokens';
import { ProjectsController } from './http/projects.controller';
import { RunbooksController } from './http/runbooks.controller';
import { SdkController } from './capabilities/sdk.controller';
import { SECRETS, SecretsController } from './http/secrets.controller';
import { ADMIN_TOKEN, CONFIG, INTAKE_TOKEN, LOGGER, WOLFE } from './http/tokens';
import type { ProjectHub } from './lifecycle/projects';

export interface AppContext {
  readonly wolfe: Wolfe;
  readonly config: WolfeConfig;
  readonly adminToken: string;
  readonly intakeToken: string;
  readonly logger: Logger;
  readonly lifecycle: RunbookLifecycle;
  readonly projects: ProjectHub;
  /** The secret store (`ctx.secrets`), written through the API, never read back. */
  readonly secrets: SecretService;
}

/** HTTP edge only: controllers translate HTTP to use-cases of the already-wired application. */
@Module({})
export class AppModule {
  static forRoot(ctx: AppContext): DynamicModule {
    return {
      module: AppModule,
      controllers: [HealthController, IntakeController, ExecutionsController, EventsController, RunbooksController, ProjectsController, SecretsController, SdkController],
      providers: [
        { provide: WOLFE, useValue: ctx.wolfe },
        { provide: CONFIG, useValue: ctx.config },
        { provide: ADMIN_TOKEN, useValue: ctx.adminToken },
        { provide: INTAKE_TOKEN, useValue: ctx.intakeToken },
        { provide: LOGGER, useValue: ctx.logger },
        { provide: LIFECYCLE, useValue: ctx.lifecycle },
        { provide: PROJECTS, useValue: ctx.projects },
        { provide: SECRETS, useValue: ctx.secrets },
        { provide: APP_GUARD, useClass: BearerAuthGuard },
        { provide: APP_FILTER, useClass: ApiErrorFilter },
      ],
    };
  }
}
