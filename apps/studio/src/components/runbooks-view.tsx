'use client';

import type { EnvironmentDto, ProjectListDto, RunbookCatalogDto, RunbookSummaryDto } from '@wolfe/api-types';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { useCallback, useEffect, useState } from 'react';
import { apiGet, errorMessage, query } from '../lib/api';
import { ENVS, shortSha } from '../lib/format';

function asEnv(value: string | null): EnvironmentDto | null {
  return (ENVS as readonly string[]).includes(value ?? '') ? (value as EnvironmentDto) : null;
}

export function RunbooksView() {
  // No `?env=`: the server's default environment (WOLFE_ENV), as the catalog then says.
  const params = useSearchParams();
  const requested = asEnv(params.get('env'));
  // No `?project=`: the embedded project `default`.
  const project = params.get('project') || null;
  const [projects, setProjects] = useState<string[]>([]);
  const [catalog, setCatalog] = useState<RunbookCatalogDto | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);

  const load = useCallback(
    async (signal?: AbortSignal) => {
      setLoading(true);
      try {
        const data = await apiGet<RunbookCatalogDto>(`/runbooks${query({ project, env: requested })}`, signal);
        setCatalog(data);
        setError(null);
      } catch (err) {
        if (signal?.aborted) return;
        setError(errorMessage(err));
      }
      setLoading(false);
    },
    [requested, project],
  );
  const env = requested ?? catalog?.env ?? null;
  const shown = project ?? catalog?.project ?? 'default';

  useEffect(() => {
    const controller = new AbortController();
    apiGet<ProjectListDto>('/projects', controller.signal).then(
      (list) => setProjects(list.items.map((p) => p.name)),
      () => undefined, // the switcher is a convenience: without it, ?project= still works
    );
    return () => controller.abort();
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    setCatalog(null);
    void load(controller.signal);
    return () => controller.abort();
  }, [load]);

  return (
    <>
      <div className="page-head">
        <h1>Runbooks</h1>
        <div className="page-actions">
          {projects.length > 1 ? (
            <nav aria-label="Project" className="segmented">
              {projects.map((p) => (
                <Link key={p} href={`/runbooks/${query({ project: p === 'default' ? null : p, env: requested })}`} aria-current={p === shown ? 'page' : undefined} scroll={false}>
                  {p}
                </Link>
              ))}
            </nav>
          ) : null}
          <nav aria-label="Environment" className="segmented">
            {ENVS.map((e) => (
              <Link key={e} href={`/runbooks/${query({ project, env: e })}`} aria-current={e === env ? 'page' : undefined} scroll={false}>
                {e}
              </Link>
            ))}
          </nav>
          <button type="button" onClick={() => void load()} disabled={loading}>
            Refresh
          </button>
        </div>
      </div>

      {error ? (
        <p className="callout callout-error" role="alert">
          Could not load the {env ?? 'default'} runbooks of project {shown}: {error}
        </p>
      ) : null}

      {catalog === null ? (
        loading ? (
          <p className="muted" role="status">
            Loading runbooks…
          </p>
        ) : null
      ) : (
        <>
          <p className="muted small">
            Project <strong>{catalog.project}</strong> · environment <strong>{catalog.env}</strong> at version <code title={catalog.version}>{shortSha(catalog.version)}</code> ·{' '}
            {catalog.items.length} {catalog.items.length === 1 ? 'runbook' : 'runbooks'}
            {catalog.problems.length > 0 ? `, ${catalog.problems.length} ${catalog.problems.length === 1 ? 'problem' : 'problems'}` : ''}
          </p>
          {catalog.problems.length > 0 ? <Problems problems={catalog.problems} /> : null}
          {catalog.items.length === 0 ? (
            <p className="empty">
              No runbooks loaded in {catalog.env}
              {catalog.project === 'default' ? '' : ` of project ${catalog.project}`}.
            </p>
          ) : (
            <div className="table-wrap">
              <table className="data runbooks" aria-label={catalog.project === 'default' ? `Runbooks in ${catalog.env}` : `Runbooks of ${catalog.project} in ${catalog.env}`}>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Owner</th>
                    <th scope="col">Version</th>
                    <th scope="col">Triggers</th>
                  </tr>
                </thead>
                <tbody>
                  {catalog.items.map((runbook) => (
                    <RunbookRow key={runbook.name} runbook={runbook} env={catalog.env} project={catalog.project} />
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </>
  );
}

function RunbookRow({ runbook, env, project }: { runbook: RunbookSummaryDto; env: EnvironmentDto; project: string }) {
  return (
    <tr>
      <td>
        <strong className="runbook-name">{runbook.name}</strong>
        {runbook.description ? <div className="muted small">{runbook.description}</div> : null}
        <Link className="small" href={`/${query({ project, runbook: runbook.name, env })}`}>
          Executions
        </Link>
      </td>
      <td>{runbook.owner || <span className="muted">—</span>}</td>
      <td>
        <code title={runbook.version}>{shortSha(runbook.version)}</code>
      </td>
      <td>
        {runbook.triggers.length === 0 ? (
          <span className="muted">none</span>
        ) : (
          <ul className="triggers">
            {runbook.triggers.map((t, i) => (
              <li key={i}>
                <code>{t.match}</code> <span className="tag">{t.status}</span>
                {t.source ? <span className="tag">{t.source}</span> : null}
              </li>
            ))}
          </ul>
        )}
      </td>
    </tr>
  );
}

function Problems({ problems }: { problems: RunbookCatalogDto['problems'] }) {
  return (
    <section className="panel panel-error" aria-labelledby="problems-title">
      <h2 id="problems-title">
        {problems.length === 1 ? '1 runbook failed to load' : `${problems.length} runbooks failed to load`}
      </h2>
      <p className="small">The other runbooks keep working. Fix these in the runbook repository; they load again on the next version.</p>
      <div className="table-wrap">
        <table className="data problems" aria-labelledby="problems-title">
          <thead>
            <tr>
              <th scope="col">Runbook</th>
              <th scope="col">Where</th>
              <th scope="col">Problem</th>
            </tr>
          </thead>
          <tbody>
            {problems.map((p, i) => (
              <tr key={`${p.runbook}-${i}`}>
                <td>
                  <strong>{p.runbook}</strong>
                </td>
                <td>
                  <code>
                    {p.file}
                    {p.line !== null ? `:${p.line}` : ''}
                  </code>
                  {p.field ? (
                    <div className="small">
                      field <code>{p.field}</code>
                    </div>
                  ) : null}
                </td>
                <td className="message">{p.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
