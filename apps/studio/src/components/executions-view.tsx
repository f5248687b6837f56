'use client';

import type { ExecutionSummaryDto, PageDto } from '@wolfe/api-types';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { type FormEvent, type MouseEvent, useCallback, useEffect, useRef, useState } from 'react';
import { apiGet, errorMessage, query } from '../lib/api';
import { ENVS, formatDateTime, formatDuration, isActive, shortSha, STATUSES, statusLabel } from '../lib/format';
import { useInterval } from '../lib/use-interval';
import { StatusBadge } from './status-badge';

const PAGE_SIZE = 50;
/** While something visible is queued or running. */
const ACTIVE_REFRESH_MS = 2000;
/** Otherwise, slowly, so new executions show up without a reload. */
const IDLE_REFRESH_MS = 15000;
/** Refresh re-reads at most this many pages (what "Load more" has shown). */
const MAX_REFRESH_PAGES = 10;

interface Filters {
  project: string;
  runbook: string;
  status: string;
  env: string;
}

function dedupe(items: ExecutionSummaryDto[]): ExecutionSummaryDto[] {
  const seen = new Set<string>();
  return items.filter((item) => (seen.has(item.id) ? false : (seen.add(item.id), true)));
}

export function executionHref(id: string): string {
  return `/execution/?id=${encodeURIComponent(id)}`;
}

function durationOf(e: ExecutionSummaryDto, now: number): string {
  if (e.durationMs !== null) return formatDuration(e.durationMs);
  if (e.status === 'running' && e.startedAt) return `${formatDuration(now - Date.parse(e.startedAt))}…`;
  return '—';
}

export function ExecutionsView() {
  const params = useSearchParams();
  const router = useRouter();
  const filters: Filters = {
    project: params.get('project') ?? '',
    runbook: params.get('runbook') ?? '',
    status: params.get('status') ?? '',
    env: params.get('env') ?? '',
  };
  const { project, runbook, status, env } = filters;
  const filtered = Boolean(project || runbook || status || env);

  const [items, setItems] = useState<ExecutionSummaryDto[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [phase, setPhase] = useState<'loading' | 'ready' | 'error'>('loading');
  const [error, setError] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [refreshing, setRefreshing] = useState(false);
  const [now, setNow] = useState(() => Date.now());
  const [runbookText, setRunbookText] = useState(runbook);
  const [projectText, setProjectText] = useState(project);

  // Responses from an older generation (other filters, or overtaken by "Load more") are dropped.
  const generation = useRef(0);
  const itemsRef = useRef(items);
  const loadingMoreRef = useRef(false);
  useEffect(() => {
    itemsRef.current = items;
  }, [items]);
  useEffect(() => setRunbookText(runbook), [runbook]);
  useEffect(() => setProjectText(project), [project]);

  const fetchPage = useCallback(
    (cursor: string | null) =>
      apiGet<PageDto<ExecutionSummaryDto>>(`/executions${query({ project, runbook, status, env, limit: PAGE_SIZE, cursor })}`),
    [project, runbook, status, env],
  );

  useEffect(() => {
    const gen = ++generation.current;
    setPhase('loading');
    setItems([]);
    setNext(null);
    setError(null);
    fetchPage(null).then(
      (page) => {
        if (gen !== generation.current) return;
        setItems(dedupe(page.items));
        setNext(page.next);
        setNow(Date.now());
        setPhase('ready');
      },
      (err: unknown) => {
        if (gen !== generation.current) return;
        setError(errorMessage(err));
        setPhase('error');
      },
    );
  }, [fetchPage]);

  const refresh = useCallback(async () => {
    if (loadingMoreRef.current) return;
    const gen = generation.current;
    const want = Math.max(itemsRef.current.length, 1);
    setRefreshing(true);
    try {
      const collected: ExecutionSummaryDto[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: PageDto<ExecutionSummaryDto> = await fetchPage(cursor);
        collected.push(...page.items);
        cursor = page.next;
        pages += 1;
      } while (cursor !== null && collected.length < want && pages < MAX_REFRESH_PAGES);
      if (gen !== generation.current) return;
      setItems(dedupe(collected));
      setNext(cursor);
      setError(null);
      setPhase('ready');
    } catch (err) {
      if (gen === generation.current) setError(errorMessage(err));
    } finally {
      setNow(Date.now());
      setRefreshing(false);
    }
  }, [fetchPage]);

  async function loadMore(): Promise<void> {
    if (next === null) return;
    const gen = ++generation.current;
    loadingMoreRef.current = true;
    setLoadingMore(true);
    try {
      const page = await fetchPage(next);
      if (gen !== generation.current) return;
      setItems((prev) => dedupe([...prev, ...page.items]));
      setNext(page.next);
      setError(null);
    } catch (err) {
      if (gen === generation.current) setError(errorMessage(err));
    } finally {
      loadingMoreRef.current = false;
      setLoadingMore(false);
    }
  }

  const active = items.some((item) => isActive(item.status));
  useInterval(refresh, phase === 'ready' ? (active ? ACTIVE_REFRESH_MS : IDLE_REFRESH_MS) : null);

  function navigate(change: Partial<Filters>): void {
    const merged = { project: projectText.trim(), runbook: runbookText.trim(), status, env, ...change };
    router.push(`/${query({ project: merged.project, runbook: merged.runbook, status: merged.status, env: merged.env })}`, { scroll: false });
  }

  function onSubmit(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    navigate({});
  }

  function openRow(event: MouseEvent<HTMLTableRowElement>, id: string): void {
    if ((event.target as HTMLElement).closest('a, button')) return;
    if (event.metaKey || event.ctrlKey) window.open(executionHref(id), '_blank');
    else router.push(executionHref(id));
  }

  return (
    <>
      <div className="page-head">
        <h1>Executions</h1>
        <div className="page-actions">
          <span className="muted small" aria-live="polite">
            {phase === 'ready' ? (active ? 'Live: refreshing every 2 s' : 'Refreshing every 15 s') : ''}
          </span>
          <button type="button" onClick={() => void refresh()} disabled={refreshing || phase === 'loading'}>
            Refresh
          </button>
        </div>
      </div>

      <form className="filters" role="search" aria-label="Filter executions" onSubmit={onSubmit}>
        <div className="field">
          <label htmlFor="f-project">Project</label>
          <input id="f-project" type="search" placeholder="any project" value={projectText} onChange={(e) => setProjectText(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="f-runbook">Runbook</label>
          <input id="f-runbook" type="search" placeholder="any runbook" value={runbookText} onChange={(e) => setRunbookText(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="f-status">Status</label>
          <select id="f-status" value={status} onChange={(e) => navigate({ status: e.target.value })}>
            <option value="">Any status</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {statusLabel(s)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-env">Environment</label>
          <select id="f-env" value={env} onChange={(e) => navigate({ env: e.target.value })}>
            <option value="">Any env</option>
            {ENVS.map((e) => (
              <option key={e} value={e}>
                {e}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-actions">
          <button type="submit">Apply</button>
          {filtered ? (
            <Link href="/" className="small">
              Clear filters
            </Link>
          ) : null}
        </div>
      </form>

      {error && phase !== 'loading' ? (
        <p className="callout callout-error" role="alert">
          {phase === 'error' ? 'Could not load executions: ' : 'Could not refresh: '}
          {error}
        </p>
      ) : null}

      {phase === 'loading' ? (
        <p className="muted" role="status">
          Loading executions…
        </p>
      ) : phase === 'ready' && items.length === 0 ? (
        <p className="empty" role="status">
          {filtered ? 'No executions match these filters.' : 'No executions yet. They appear here when an event matches a runbook trigger.'}
        </p>
      ) : items.length > 0 ? (
        <div className="table-wrap">
          <table className="data executions" aria-label="Executions, newest first">
            <thead>
              <tr>
                <th scope="col">Status</th>
                <th scope="col">Runbook</th>
                <th scope="col">Env</th>
                <th scope="col">Version</th>
                <th scope="col">Created</th>
                <th scope="col" className="num">
                  Duration
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <tr key={e.id} className="clickable" onClick={(event) => openRow(event, e.id)} data-execution-id={e.id}>
                  <td>
                    <StatusBadge status={e.status} />
                  </td>
                  <td>
                    <span className="project-name muted small" title={`project ${e.project}`}>
                      {e.project} /{' '}
                    </span>
                    <Link href={executionHref(e.id)} className="rowlink">
                      {e.runbook}
                    </Link>
                  </td>
                  <td>
                    <span className={`env env-${e.env}`}>{e.env}</span>
                  </td>
                  <td>
                    <code title={e.version}>{shortSha(e.version)}</code>
                  </td>
                  <td>
                    <time dateTime={e.createdAt} title={e.createdAt}>
                      {formatDateTime(e.createdAt)}
                    </time>
                  </td>
                  <td className="num">{durationOf(e, now)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}

      {phase === 'ready' && next !== null ? (
        <div className="more">
          <button type="button" onClick={() => void loadMore()} disabled={loadingMore}>
            {loadingMore ? 'Loading…' : 'Load more'}
          </button>
        </div>
      ) : null}
    </>
  );
}
