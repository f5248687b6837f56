import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { Shell } from '../components/shell';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Wolfe Studio', template: '%s · Wolfe Studio' },
  description: 'Executions and runbooks of this Wolfe server.',
  robots: { index: false, follow: false },
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1, colorScheme: 'light' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Shell>{children}</Shell>
      </body>
    </html>
  );
}
