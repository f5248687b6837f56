'use client';

import type { AttachmentInfoDto } from '@wolfe/api-types';
import { useState } from 'react';
import { apiGet, apiGetBlob, errorMessage } from '../lib/api';
import { asTable, type Cell, formatBytes, prettyJson, type Table } from '../lib/format';

/** Rows shown in a table before "show all": a 256 KiB attachment can hold thousands. */
const ROWS_SHOWN = 200;

type Loaded = { readonly state: 'loading' } | { readonly state: 'error'; readonly message: string } | { readonly state: 'ok'; readonly value: unknown };

const dataPath = (executionId: string, seq: number): string => `/executions/${encodeURIComponent(executionId)}/attachments/${seq}`;

/** `ctx.attach` data kept with the execution: each can be shown here (a table when it is one) or saved as a file. */
export function Attachments({ executionId, attachments }: { executionId: string; attachments: AttachmentInfoDto[] }) {
  if (attachments.length === 0) return null;
  return (
    <section aria-labelledby="attachments-title" className="panel">
      <h2 id="attachments-title">
        Attachments <span className="count">{attachments.length}</span>
      </h2>
      <ul className="attachments" aria-labelledby="attachments-title">
        {attachments.map((a) => (
          <Attachment key={a.seq} executionId={executionId} attachment={a} />
        ))}
      </ul>
    </section>
  );
}

function Attachment({ executionId, attachment }: { executionId: string; attachment: AttachmentInfoDto }) {
  const [open, setOpen] = useState(false);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [saveError, setSaveError] = useState<string | null>(null);
  const viewerId = `attachment-${attachment.seq}-view`;
  const nameId = `attachment-${attachment.seq}-name`;

  const toggle = async (): Promise<void> => {
    const next = !open;
    setOpen(next);
    if (!next || (loaded && loaded.state !== 'error')) return;
    setLoaded({ state: 'loading' });
    try {
      setLoaded({ state: 'ok', value: await apiGet<unknown>(dataPath(executionId, attachment.seq)) });
    } catch (err) {
      setLoaded({ state: 'error', message: errorMessage(err) });
    }
  };

  const save = async (): Promise<void> => {
    setSaveError(null);
    try {
      const blob = await apiGetBlob(dataPath(executionId, attachment.seq));
      const url = URL.createObjectURL(new Blob([blob], { type: attachment.contentType }));
      const link = document.createElement('a');
      link.href = url;
      link.download = `${attachment.name.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, '_') || `attachment-${attachment.seq}`}.json`;
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      setSaveError(errorMessage(err));
    }
  };

  return (
    <li className="attachment" aria-labelledby={nameId}>
      <div className="attachment-head">
        <span className="attachment-name" id={nameId}>
          {attachment.name}
        </span>
        <span className="muted small">
          {attachment.contentType === 'application/json' ? 'JSON' : attachment.contentType} · {formatBytes(attachment.size)}
        </span>
        <span className="attachment-actions">
          <button type="button" aria-expanded={open} aria-controls={viewerId} onClick={() => void toggle()}>
            {open ? 'Hide' : 'Show'}
            <span className="sr-only"> {attachment.name}</span>
          </button>
          <button type="button" onClick={() => void save()}>
            Download
            <span className="sr-only"> {attachment.name}</span>
          </button>
        </span>
      </div>
      {saveError ? (
        <p className="callout callout-error" role="alert">
          Could not download {attachment.name}: {saveError}
        </p>
      ) : null}
      <div id={viewerId} hidden={!open} className="attachment-view">
        {open && loaded ? <Viewer name={attachment.name} loaded={loaded} /> : null}
      </div>
    </li>
  );
}

function Viewer({ name, loaded }: { name: string; loaded: Loaded }) {
  if (loaded.state === 'loading') {
    return (
      <p className="muted" role="status">
        Loading {name}…
      </p>
    );
  }
  if (loaded.state === 'error') {
    return (
      <p className="callout callout-error" role="alert">
        Could not load {name}: {loaded.message}
      </p>
    );
  }
  const table = asTable(loaded.value);
  return table ? (
    <DataTable name={name} table={table} />
  ) : (
    <pre className="code" tabIndex={0} aria-label={`${name} (JSON)`}>
      {prettyJson(loaded.value)}
    </pre>
  );
}

function DataTable({ name, table }: { name: string; table: Table }) {
  const [all, setAll] = useState(false);
  const rows = all ? table.rows : table.rows.slice(0, ROWS_SHOWN);
  const numeric = new Set(table.columns.filter((c) => table.rows.every((r) => r[c] === undefined || r[c] === null || typeof r[c] === 'number')));
  return (
    <>
      <div className="table-wrap attachment-table">
        <table className="data">
          <caption className="sr-only">{name}</caption>
          <thead>
            <tr>
              {table.columns.map((c) => (
                <th key={c} scope="col" className={numeric.has(c) ? 'num' : undefined}>
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => (
              <tr key={i}>
                {table.columns.map((c) => (
                  <td key={c} className={numeric.has(c) ? 'num' : undefined}>
                    <CellValue value={row[c]} />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {table.rows.length > rows.length ? (
        <p className="small">
          Showing {rows.length} of {table.rows.length} rows.{' '}
          <button type="button" className="linklike" onClick={() => setAll(true)}>
            Show all {table.rows.length}
          </button>
        </p>
      ) : (
        <p className="muted small">{table.rows.length === 1 ? '1 row' : `${table.rows.length} rows`}</p>
      )}
    </>
  );
}

function CellValue({ value }: { value: Cell | undefined }) {
  if (value === undefined) return null;
  if (value === null) return <span className="muted">null</span>;
  if (typeof value === 'boolean') return <code>{String(value)}</code>;
  return <>{typeof value === 'number' ? value.toLocaleString() : value}</>;
}
