import { Controller, Get, Header } from '@nestjs/common';
import { SDK_DECLARATIONS } from '../lifecycle/sdk-declarations.generated';

/**
 * `GET /api/v1/sdk.d.ts`: the one declaration file of `@wolfe/sdk` (ctx and every capability,
 * with their documentation) for the Studio's editor — the same text runbooks are type-checked
 * against (apps/server/src/lifecycle/sdk-declarations.generated.ts, kept in sync with
 * libs/sdk by its spec). Wrap it as `declare module '@wolfe/sdk' { … }` or add it as
 * `node_modules/@wolfe/sdk/index.d.ts` in the editor's virtual file system.
 */
@Controller('api/v1')
export class SdkController {
  @Get('sdk.d.ts')
  @Header('content-type', 'application/typescript; charset=utf-8')
  @Header('cache-control', 'no-cache')
  declarations(): string {
    return SDK_DECLARATIONS;
  }
}
