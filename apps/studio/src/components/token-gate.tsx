'use client';

import { type FormEvent, useId, useState } from 'react';
import { checkToken, REJECTED_TOKEN } from '../lib/api';
import { setToken } from '../lib/token';

export function TokenGate({ notice }: { notice: string | null }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);
  const inputId = useId();
  const helpId = useId();

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    const token = value.trim();
    if (!token) {
      setError('Paste the admin token first.');
      return;
    }
    setChecking(true);
    setError(null);
    const problem = await checkToken(token);
    setChecking(false);
    if (problem === null) setToken(token);
    else setError(problem);
  }

  const isWarning = notice === REJECTED_TOKEN;
  return (
    <section className="gate" aria-labelledby="gate-title">
      <h1 id="gate-title">Sign in to Wolfe Studio</h1>
      {notice ? (
        <p className={isWarning ? 'callout callout-error' : 'callout'} role={isWarning ? 'alert' : 'status'}>
          {notice}
        </p>
      ) : null}
      <form onSubmit={submit} noValidate>
        <label htmlFor={inputId}>Admin token</label>
        <input
          id={inputId}
          name="token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={value}
          onChange={(e) => setValue(e.target.value)}
          aria-describedby={helpId}
          aria-invalid={error ? true : undefined}
          autoFocus
        />
        <p id={helpId} className="hint">
          The Wolfe server writes it to <code>&lt;data dir&gt;/admin-token</code> and prints that path when it starts. It is kept in this
          browser&apos;s local storage until you sign out.
        </p>
        {error ? (
          <p className="callout callout-error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={checking}>
          {checking ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </section>
  );
}
