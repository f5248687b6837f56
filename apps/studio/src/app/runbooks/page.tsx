import type { Metadata } from 'next';
import { Suspense } from 'react';
import { RunbooksView } from '../../components/runbooks-view';

export const metadata: Metadata = { title: 'Runbooks' };

export default function RunbooksPage() {
  return (
    <Suspense fallback={null}>
      <RunbooksView />
    </Suspense>
  );
}
