import type { Metadata } from 'next';
import { Suspense } from 'react';
import { ExecutionsView } from '../components/executions-view';

export const metadata: Metadata = { title: 'Executions' };

export default function ExecutionsPage() {
  return (
    <Suspense fallback={null}>
      <ExecutionsView />
    </Suspense>
  );
}
