import type { Metadata } from 'next';
import { Suspense } from 'react';
import { ExecutionView } from '../../components/execution-view';

export const metadata: Metadata = { title: 'Execution' };

// `/execution/?id=<id>`: a static export has no dynamic routes, so the id is a query param.
export default function ExecutionPage() {
  return (
    <Suspense fallback={null}>
      <ExecutionView />
    </Suspense>
  );
}
