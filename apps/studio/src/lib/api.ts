// Same-origin client for `/api/v1`. Every call carries the admin token; a 401 forgets
// it (which brings the token gate back) unless the token changed meanwhile.
import type { ApiErrorDto } from '@wolfe/api-types';
import { clearToken, getToken } from './token';

export const API = '/api/v1';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const REJECTED_TOKEN =
  'The server rejected the admin token (401). Paste the current token from <data dir>/admin-token.';

function isApiError(body: unknown): body is ApiErrorDto {
  return typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string';
}

async function failure(res: Response): Promise<ApiError> {
  let message = `${res.status} ${res.statusText}`.trim();
  try {
    const body: unknown = await res.json();
    if (isApiError(body)) message = `${body.error ? `${body.error}: ` : ''}${body.message}`;
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(res.status, message);
}

async function send(path: string, token: string, signal?: AbortSignal): Promise<Response> {
  try {
    return await fetch(`${API}${path}`, {
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
      cache: 'no-store',
      signal: signal ?? null,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, `Cannot reach the Wolfe server (${err instanceof Error ? err.message : String(err)}).`);
  }
}

/** GET `/api/v1${path}` with the token: the response when it is 2xx, else an ApiError. */
async function get(path: string, signal?: AbortSignal): Promise<Response> {
  const token = getToken();
  if (token === null) throw new ApiError(401, 'Not signed in.');
  const res = await send(path, token, signal);
  if (res.status === 401) {
    if (getToken() === token) clearToken(REJECTED_TOKEN);
    throw new ApiError(401, REJECTED_TOKEN);
  }
  if (!res.ok) throw await failure(res);
  return res;
}

/** GET `/api/v1${path}` as JSON. */
export async function apiGet<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await (await get(path, signal)).json()) as T;
}

/** GET `/api/v1${path}` as it is (e.g. an attachment to save as a file). */
export async function apiGetBlob(path: string, signal?: AbortSignal): Promise<Blob> {
  return (await get(path, signal)).blob();
}

/** Try a token before keeping it: null when accepted, else why not. */
export async function checkToken(token: string): Promise<string | null> {
  try {
    const res = await send('/executions?limit=1', token);
    if (res.ok) return null;
    if (res.status === 401) return 'That token was rejected (401). Copy the whole contents of <data dir>/admin-token and try again.';
    return (await failure(res)).message;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

export function query(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
