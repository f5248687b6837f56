import type { Actor, RepoTrailer } from './ports';

/**
 * The audit trail is git itself: every change Wolfe commits ends with trailers (the last
 * paragraph of the message, `Key: value` lines, as `git interpret-trailers` reads them):
 *
 * ```
 * Promote disk-cleanup from dev to test
 *
 * Ready for the game day
 *
 * Wolfe-Action: promote
 * Wolfe-Runbook: disk-cleanup
 * Wolfe-From: dev@3f1c…
 * Wolfe-To: test
 * Wolfe-Replaces: 9ab2…
 * Wolfe-Actor: admin
 * Wolfe-On-Behalf-Of: Alice
 * Wolfe-Reason: Ready for the game day
 * Wolfe-Gates: manifest=passed compile=passed typecheck=passed tests=passed(3/3) replay=passed(2/2)
 * Wolfe-Override: <reason>            (only when a failing gate was overridden)
 * ```
 *
 * The commit's author is the actor; its date is when; `git log --format=%(trailers)` (or
 * `GET …/history`) shows who promoted which version where, and why.
 */
export const TRAILERS = {
  action: 'Wolfe-Action',
  runbook: 'Wolfe-Runbook',
  from: 'Wolfe-From',
  to: 'Wolfe-To',
  replaces: 'Wolfe-Replaces',
  base: 'Wolfe-Base',
  actor: 'Wolfe-Actor',
  onBehalfOf: 'Wolfe-On-Behalf-Of',
  reason: 'Wolfe-Reason',
  gates: 'Wolfe-Gates',
  override: 'Wolfe-Override',
} as const;

export type AuditAction = 'create' | 'edit' | 'delete' | 'promote' | 'rollback';
const ACTIONS: readonly AuditAction[] = ['create', 'edit', 'delete', 'promote', 'rollback'];

/** A commit's audit record, read back from its trailers (null fields: not given). */
export interface AuditRecord {
  readonly action: AuditAction;
  readonly runbook: string | null;
  /** Where the content came from: `dev@<sha>` for a promotion, `<sha>` for a rollback. */
  readonly from: string | null;
  readonly to: string | null;
  /** The runbook's version on the target branch before this commit. */
  readonly replaces: string | null;
  /** The version an edit was based on. */
  readonly base: string | null;
  readonly actor: string | null;
  readonly onBehalfOf: string | null;
  readonly reason: string | null;
  readonly gates: string | null;
  readonly override: string | null;
}

/** One line, no control characters, at most `max` characters (a trailer value). */
export function oneLine(text: string, max = 500): string {
  const flat = text
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** A commit message: subject, optional body paragraphs, then the trailer block. */
export function commitMessage(subject: string, body: string | null, trailers: readonly (readonly [string, string | null | undefined])[]): string {
  const parts = [oneLine(subject, 200)];
  const text = body === null ? '' : cleanBody(body);
  if (text !== '') parts.push(text);
  const lines = trailers.filter((t): t is readonly [string, string] => typeof t[1] === 'string' && oneLine(t[1]) !== '').map(([k, v]) => `${k}: ${oneLine(v)}`);
  if (lines.length > 0) parts.push(lines.join('\n'));
  return `${parts.join('\n\n')}\n`;
}

/**
 * A user-written message body: control characters dropped, and no line that git would take for
 * a trailer in the last paragraph (a body ending in `Wolfe-Action: promote` cannot forge one,
 * since our trailer block always comes after it as its own paragraph).
 */
function cleanBody(body: string): string {
  return body
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
    // `git interpret-trailers` (not `git log`) stops reading at a line starting with "---"
    // (a patch follows): trailers written above such a line would be read instead of ours.
    .replace(/^---(?=\s|$)/gm, ' ---')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export function actorTrailers(actor: Actor): [string, string | null][] {
  return [
    [TRAILERS.actor, actor.principal],
    [TRAILERS.onBehalfOf, actor.displayName],
  ];
}

/** The audit record of a commit, when Wolfe made it (it has a Wolfe-Action trailer); else null. */
export function parseAudit(trailers: readonly RepoTrailer[]): AuditRecord | null {
  // The last value wins: a message body cannot add a second, earlier Wolfe-Action that counts.
  const get = (key: string): string | null => {
    let v: string | null = null;
    for (const t of trailers) if (t.key.toLowerCase() === key.toLowerCase()) v = t.value;
    return v;
  };
  const action = get(TRAILERS.action);
  if (action === null || !(ACTIONS as readonly string[]).includes(action)) return null;
  return {
    action: action as AuditAction,
    runbook: get(TRAILERS.runbook),
    from: get(TRAILERS.from),
    to: get(TRAILERS.to),
    replaces: get(TRAILERS.replaces),
    base: get(TRAILERS.base),
    actor: get(TRAILERS.actor),
    onBehalfOf: get(TRAILERS.onBehalfOf),
    reason: get(TRAILERS.reason),
    gates: get(TRAILERS.gates),
    override: get(TRAILERS.override),
  };
}
