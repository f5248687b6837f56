'use client';

import type { StepDto } from '@wolfe/api-types';
import { formatDuration, formatTime, prettyPreview } from '../lib/format';
import { StatusBadge } from './status-badge';

/**
 * The execution's notebook: every `ctx.step` in start order, with its status, duration and
 * output or error. While the execution runs, the page refreshes and a running step shows
 * how long it has been going.
 */
export function Steps({ steps, active }: { steps: StepDto[]; active: boolean }) {
  return (
    <section aria-labelledby="steps-title" className="panel">
      <h2 id="steps-title">
        Steps <span className="count">{steps.length}</span>
      </h2>
      {steps.length === 0 ? (
        <p className="muted">
          {active ? 'No steps yet.' : 'No steps recorded.'} A runbook shows its work here with <code>ctx.step(name, fn)</code>.
        </p>
      ) : (
        <ol className="steps" aria-labelledby="steps-title">
          {steps.map((step) => (
            <Step key={step.seq} step={step} />
          ))}
        </ol>
      )}
    </section>
  );
}

function Step({ step }: { step: StepDto }) {
  const duration = step.durationMs ?? (step.status === 'running' ? Math.max(0, Date.now() - Date.parse(step.startedAt)) : null);
  const titleId = `step-${step.seq}-name`;
  return (
    <li className={`step step-${step.status}`} aria-labelledby={titleId} data-step-status={step.status}>
      <span className="step-marker" aria-hidden="true">
        {step.seq + 1}
      </span>
      <div className="step-body">
        <div className="step-head">
          <span className="step-name" id={titleId}>
            {step.name}
          </span>
          <StatusBadge status={step.status} />
          <span className="step-time">
            <time dateTime={step.startedAt} title={`started ${step.startedAt}`}>
              {formatTime(step.startedAt)}
            </time>
            {' · '}
            <span title={step.status === 'running' ? 'running for' : 'duration'}>
              {step.status === 'running' ? `${formatDuration(duration)} so far` : formatDuration(duration)}
            </span>
          </span>
        </div>
        {step.error !== null ? (
          <pre className="step-error" aria-label={`Error of ${step.name}`}>
            {step.error}
          </pre>
        ) : null}
        {step.output !== null ? (
          <pre className="code step-output" tabIndex={0} aria-label={`Output of ${step.name}`}>
            {prettyPreview(step.output)}
          </pre>
        ) : null}
      </div>
    </li>
  );
}
