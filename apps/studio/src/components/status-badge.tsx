import type { ExecutionStatusDto } from '@wolfe/api-types';
import { statusLabel } from '../lib/format';

export function StatusBadge({ status }: { status: ExecutionStatusDto }) {
  return (
    <span className={`badge badge-${status}`} data-status={status}>
      {statusLabel(status)}
    </span>
  );
}
