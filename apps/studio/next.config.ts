// The Studio is a static export: `next build` writes plain HTML/JS/CSS into
// dist/apps/studio and the Wolfe server serves it at `/`, next to `/api/v1`.
// Nothing is loaded from the internet (system fonts, no CDN, no analytics).
import { PHASE_PRODUCTION_BUILD } from 'next/constants';
import type { NextConfig } from 'next';

export default function config(phase: string): NextConfig {
  const base: NextConfig = {
    reactStrictMode: true,
    poweredByHeader: false,
    productionBrowserSourceMaps: false,
    devIndicators: false,
    images: { unoptimized: true },
  };
  if (phase === PHASE_PRODUCTION_BUILD) {
    // With `output: 'export'`, a custom distDir names where the export goes
    // (intermediate build files stay in apps/studio/.next).
    return { ...base, output: 'export', trailingSlash: true, distDir: '../../dist/apps/studio' };
  }
  // `next dev` (nx run studio:dev): proxy the API to a running Wolfe server.
  const api = process.env['WOLFE_API_URL'] ?? 'http://127.0.0.1:8080';
  return {
    ...base,
    trailingSlash: true,
    rewrites: async () => [{ source: '/api/:path*', destination: `${api}/api/:path*` }],
  };
}
