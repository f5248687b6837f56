// The admin token lives in localStorage; React reads it through useSyncExternalStore.
// `notice` explains why the gate is showing (401, signed out), once.
const KEY = 'wolfe.adminToken';

type Listener = () => void;
const listeners = new Set<Listener>();
let notice: string | null = null;

function emit(): void {
  for (const listener of listeners) listener();
}

function onStorage(event: StorageEvent): void {
  if (event.key === null || event.key === KEY) emit();
}

export function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  if (listeners.size === 1) window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) window.removeEventListener('storage', onStorage);
  };
}

export function getToken(): string | null {
  try {
    return window.localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function getNotice(): string | null {
  return notice;
}

export function setToken(token: string): void {
  window.localStorage.setItem(KEY, token);
  notice = null;
  emit();
}

/** Forget the token and show the gate; `reason` is shown above the form. */
export function clearToken(reason: string | null): void {
  try {
    window.localStorage.removeItem(KEY);
  } catch {
    // storage unavailable: nothing to forget
  }
  notice = reason;
  emit();
}
