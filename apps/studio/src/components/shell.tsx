'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { type ReactNode, useSyncExternalStore } from 'react';
import { clearToken, getNotice, getToken, subscribe } from '../lib/token';
import { TokenGate } from './token-gate';

const NAV = [
  { href: '/', label: 'Executions', match: (p: string) => p === '/' || p.startsWith('/execution') },
  { href: '/runbooks/', label: 'Runbooks', match: (p: string) => p.startsWith('/runbooks') },
];

// Before hydration the token is unknown (`undefined`): render neither gate nor page.
const serverToken = (): string | null | undefined => undefined;
const serverNotice = (): string | null => null;

export function Shell({ children }: { children: ReactNode }) {
  const token = useSyncExternalStore<string | null | undefined>(subscribe, getToken, serverToken);
  const notice = useSyncExternalStore(subscribe, getNotice, serverNotice);
  const pathname = usePathname() ?? '/';
  const signedIn = typeof token === 'string';

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link href="/" className="wordmark" aria-label="Wolfe Studio, executions">
          <svg aria-hidden="true" viewBox="0 0 32 32" width="22" height="22">
            <path d="M4 6l6 20 6-14 6 14 6-20" fill="none" stroke="currentColor" strokeWidth="3.2" strokeLinejoin="round" strokeLinecap="round" />
          </svg>
          <span>Wolfe</span>
          <span className="wordmark-sub">Studio</span>
        </Link>
        <nav aria-label="Main" className="mainnav">
          <ul>
            {NAV.map((item) => {
              const current = item.match(pathname);
              return (
                <li key={item.href}>
                  <Link href={item.href} aria-current={current ? 'page' : undefined}>
                    {item.label}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
        {signedIn ? (
          <button type="button" className="linklike signout" onClick={() => clearToken('Signed out. The token was removed from this browser.')}>
            Sign out
          </button>
        ) : null}
      </header>
      <main id="main" className="content">
        {token === undefined ? null : token === null ? <TokenGate notice={notice} /> : children}
      </main>
    </>
  );
}
