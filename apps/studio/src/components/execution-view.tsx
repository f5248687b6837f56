'use client';

import type { EventDto, ExecutionDetailDto, ExecutionErrorDto, LogLineDto } from '@wolfe/api-types';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { type ReactNode, useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, apiGet, errorMessage, query } from '../lib/api';
import { compactJson, formatDateTime, formatDuration, formatTime, isActive, prettyJson, shortSha } from '../lib/format';
import { useInterval } from '../lib/use-interval';
import { Attachments } from './attachments';
import { StatusBadge } from './status-badge';
import { Steps } from './steps';

const POLL_MS = 2000;

export function ExecutionView() {
  const id = useSearchParams().get('id') ?? '';
  const [execution, setExecution] = useState<ExecutionDetailDto | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [missing, setMissing] = useState(false);
  // A response for an execution we are no longer showing (back/forward) is dropped.
  const current = useRef(id);
  useEffect(() => {
    current.current = id;
  }, [id]);

  const load = useCallback(async () => {
    try {
      const detail = await apiGet<ExecutionDetailDto>(`/executions/${encodeURIComponent(id)}`);
      if (current.current !== id) return;
      setExecution(detail);
      setError(null);
    } catch (err) {
      if (current.current !== id) return;
      if (err instanceof ApiError && err.status === 404) setMissing(true);
      setError(errorMessage(err));
    }
  }, [id]);

  useEffect(() => {
    setExecution(null);
    setMissing(false);
    setError(null);
    if (id) void load();
  }, [id, load]);

  const polling = execution !== null && isActive(execution.status);
  useInterval(load, polling ? POLL_MS : null);

  if (!id) {
    return (
      <p className="callout callout-error" role="alert">
        No execution id in the address. Open an execution from the <Link href="/">executions list</Link>.
      </p>
    );
  }
  if (missing) {
    return (
      <>
        <Back />
        <p className="callout callout-error" role="alert">
          Execution <code>{id}</code> was not found. {error}
        </p>
      </>
    );
  }
  if (execution === null) {
    return error ? (
      <>
        <Back />
        <p className="callout callout-error" role="alert">
          Could not load execution <code>{id}</code>: {error}
        </p>
      </>
    ) : (
      <p className="muted" role="status">
        Loading execution…
      </p>
    );
  }

  const e = execution;
  return (
    <>
      <Back />
      <div className="page-head">
        <h1>
          <span className="muted">{e.project} / </span>
          {e.runbook} <StatusBadge status={e.status} />
        </h1>
        <span className="muted small" aria-live="polite">
          {polling ? 'Live: refreshing every 2 s' : ''}
        </span>
      </div>
      {error ? (
        <p className="callout callout-error" role="alert">
          Could not refresh: {error}
        </p>
      ) : null}

      <dl className="facts" aria-label="Execution">
        <Fact term="Execution">
          <code>{e.id}</code>
        </Fact>
        <Fact term="Project">
          <Link href={`/${query({ project: e.project })}`}>{e.project}</Link>
        </Fact>
        <Fact term="Runbook">
          <Link href={`/${query({ project: e.project, runbook: e.runbook })}`}>{e.runbook}</Link>
        </Fact>
        <Fact term="Environment">
          <span className={`env env-${e.env}`}>{e.env}</span>
        </Fact>
        <Fact term="Version">
          <code title={e.version}>{shortSha(e.version)}</code>
        </Fact>
        <Fact term="Created">
          <Time iso={e.createdAt} />
        </Fact>
        <Fact term="Started">
          <Time iso={e.startedAt} />
        </Fact>
        <Fact term="Finished">
          <Time iso={e.finishedAt} />
        </Fact>
        <Fact term="Duration">{formatDuration(e.durationMs)}</Fact>
        {e.trigger !== null ? <Fact term="Trigger">#{e.trigger}</Fact> : null}
      </dl>

      {e.error ? <ErrorPanel error={e.error} /> : null}

      <Steps steps={e.steps} active={isActive(e.status)} />

      <Attachments key={e.id} executionId={e.id} attachments={e.attachments} />

      <section aria-labelledby="result-title" className="panel">
        <h2 id="result-title">Result</h2>
        {e.result === null || e.result === undefined ? (
          <p className="muted">{isActive(e.status) ? 'Not finished yet.' : 'No result.'}</p>
        ) : (
          <pre className="code" tabIndex={0} aria-label="Result JSON">
            {prettyJson(e.result)}
          </pre>
        )}
      </section>

      <Logs logs={e.logs} />

      <section aria-labelledby="event-title" className="panel">
        <h2 id="event-title">Triggering event</h2>
        {e.event ? <EventPanel event={e.event} /> : <p className="muted">This execution was not started by an event.</p>}
      </section>
    </>
  );
}

function Back() {
  return (
    <p className="back">
      <Link href="/">← Executions</Link>
    </p>
  );
}

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function Time({ iso }: { iso: string | null }) {
  return iso ? (
    <time dateTime={iso} title={iso}>
      {formatDateTime(iso)}
    </time>
  ) : (
    <span className="muted">—</span>
  );
}

function ErrorPanel({ error }: { error: ExecutionErrorDto }) {
  return (
    <section aria-labelledby="error-title" className="panel panel-error">
      <h2 id="error-title">Error</h2>
      <p className="error-message">
        <strong>{error.name}</strong>: {error.message}
      </p>
      {error.location ? (
        <p>
          Runbook source:{' '}
          <code>
            {error.location.file}:{error.location.line}:{error.location.column}
          </code>
        </p>
      ) : null}
      {error.limit ? (
        <p>
          Limit reached: <code>{error.limit}</code>
        </p>
      ) : null}
      {error.stack ? (
        <details open>
          <summary>Stack</summary>
          <pre className="code" tabIndex={0}>
            {error.stack}
          </pre>
        </details>
      ) : null}
    </section>
  );
}

function Logs({ logs }: { logs: LogLineDto[] }) {
  return (
    <section aria-labelledby="logs-title" className="panel">
      <h2 id="logs-title">
        Logs <span className="count">{logs.length}</span>
      </h2>
      {logs.length === 0 ? (
        <p className="muted">No log lines.</p>
      ) : (
        <div className="table-wrap">
          <table className="data logs" aria-labelledby="logs-title">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Level</th>
                <th scope="col">Message</th>
                <th scope="col">Fields</th>
              </tr>
            </thead>
            <tbody>
              {logs.map((line) => (
                <tr key={line.seq} className={`log-${line.level}`}>
                  <td className="nowrap">
                    <time dateTime={line.ts} title={line.ts}>
                      {formatTime(line.ts)}
                    </time>
                  </td>
                  <td>
                    <span className={`level level-${line.level}`}>{line.level}</span>
                  </td>
                  <td className="message">{line.message}</td>
                  <td className="fields">{line.fields && Object.keys(line.fields).length > 0 ? <code>{compactJson(line.fields)}</code> : null}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function EventPanel({ event }: { event: EventDto }) {
  const labels = Object.entries(event.labels);
  const annotations = Object.entries(event.annotations);
  return (
    <>
      <dl className="facts">
        <Fact term="Status">
          <span className={`event-status event-${event.status}`}>{event.status}</span>
        </Fact>
        <Fact term="Source">{event.source}</Fact>
        <Fact term="Starts at">
          <Time iso={event.startsAt} />
        </Fact>
        <Fact term="Ends at">
          <Time iso={event.endsAt} />
        </Fact>
        <Fact term="Received">
          <Time iso={event.receivedAt} />
        </Fact>
        <Fact term="Fingerprint">
          <code>{event.sourceFingerprint ?? event.fingerprint}</code>
        </Fact>
      </dl>
      <h3>Labels</h3>
      {labels.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <ul className="chips" aria-label="Labels">
          {labels.map(([k, v]) => (
            <li key={k} className="chip">
              <span className="chip-key">{k}</span>=<span className="chip-value">{v}</span>
            </li>
          ))}
        </ul>
      )}
      <h3>Annotations</h3>
      {annotations.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <dl className="annotations">
          {annotations.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
      )}
    </>
  );
}
