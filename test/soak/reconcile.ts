/**
 * The soak's self-check: the archive's account of the model calls against the fault server's
 * account of the requests, call by call.
 *
 * The two counts can differ for one honest reason: a call whose per-call timer fired (or whose
 * connection failed) before its request reached the server — on a loaded machine the client, the
 * server and their event loop share two cores, and a 3 s timer can run out before a request is
 * read. Such a call is archived (with its error, and no answer) and the server never records it.
 * Everything else is a real mismatch: a request the archive does not have, or a call missing from
 * the server that got an answer from somewhere.
 *
 * So, per conversation (one desk of one event: same provider, system prompt and first message,
 * the key the server records), the archived calls in order are aligned with the server's requests
 * in order. A call and a request match when they send the same turn (same message list) and, if
 * the call got an answer, the server sent one. An archived call may stay unmatched only if it
 * ended in a timeout or connection failure with no answer. The check passes only when every
 * conversation aligns; the unmatched calls are the explained difference.
 */

export interface ArchivedCall {
  /** The archive's row id: calls of a conversation are made one after another, in id order. */
  id: number;
  /** Run id and purpose, to name the conversation in a message. */
  runId: string;
  purpose: string;
  conversation: string;
  turn: string;
  /** The model answered (text or token counts were recorded). */
  answered: boolean;
  error: string | null;
}

export interface ServedRequest {
  serial: number;
  conversation: string;
  turn: string;
  /** The server wrote a whole response (an error status counts; hangs, resets and aborts do not). */
  answered: boolean;
}

export type UnreachedCause = 'timeout' | 'connection';

export interface Reconciliation {
  calls: number;
  requests: number;
  /** Archived calls that never reached the server, by what ended them. */
  unreached: Record<UnreachedCause, number>;
  /** Turns sent again, counted over the calls that reached the server: the server's count of repeated turns must equal it. */
  repeatedTurns: number;
  /** Conversations whose calls and requests cannot be aligned, with why. Empty when every difference is explained. */
  unexplained: string[];
}

/** Why a call may have ended before its request reached the server; undefined if it cannot have. */
export function unreachedCause(call: ArchivedCall): UnreachedCause | undefined {
  if (call.answered || call.error === null) return undefined;
  if (/\btimed out\b/i.test(call.error)) return 'timeout';
  if (/connection (failed|error)|ECONNRESET|ECONNREFUSED|socket hang up|other side closed/i.test(call.error)) return 'connection';
  return undefined;
}

const matches = (call: ArchivedCall, request: ServedRequest): boolean =>
  call.turn === request.turn && (!call.answered || request.answered);

/**
 * One alignment of a conversation's calls with its requests (both in order), or undefined if none
 * exists: for each call, the request it reached, or null if it never reached the server.
 */
function align(calls: readonly ArchivedCall[], requests: readonly ServedRequest[]): (ServedRequest | null)[] | undefined {
  // can[i][j]: calls[i..] align with requests[j..]. A few calls per conversation, so a full table is cheap.
  const can: boolean[][] = Array.from({ length: calls.length + 1 }, () => new Array<boolean>(requests.length + 1).fill(false));
  can[calls.length]![requests.length] = true;
  for (let i = calls.length - 1; i >= 0; i--) {
    for (let j = requests.length; j >= 0; j--) {
      const call = calls[i]!;
      const viaRequest = j < requests.length && matches(call, requests[j]!) && can[i + 1]![j + 1]!;
      const skipped = unreachedCause(call) !== undefined && can[i + 1]![j]!;
      can[i]![j] = viaRequest || skipped;
    }
  }
  if (!can[0]![0]) return undefined;
  const out: (ServedRequest | null)[] = [];
  let j = 0;
  for (let i = 0; i < calls.length; i++) {
    // Prefer the match: a call that can be matched reached the server unless that breaks the rest.
    if (j < requests.length && matches(calls[i]!, requests[j]!) && can[i + 1]![j + 1]) out.push(requests[j++]!);
    else out.push(null);
  }
  return out;
}

const groupBy = <T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> => {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
};

export function reconcile(calls: readonly ArchivedCall[], requests: readonly ServedRequest[]): Reconciliation {
  const result: Reconciliation = { calls: calls.length, requests: requests.length, unreached: { timeout: 0, connection: 0 }, repeatedTurns: 0, unexplained: [] };
  const callsBy = groupBy([...calls].sort((a, b) => a.id - b.id), (c) => c.conversation);
  const requestsBy = groupBy([...requests].sort((a, b) => a.serial - b.serial), (r) => r.conversation);

  for (const [conversation, served] of requestsBy) {
    if (!callsBy.has(conversation)) result.unexplained.push(`${served.length} request(s) of conversation ${conversation} that the archive has no call of`);
  }
  for (const [conversation, archived] of callsBy) {
    const served = requestsBy.get(conversation) ?? [];
    const first = archived[0]!;
    const alignment = align(archived, served);
    if (alignment === undefined) {
      const unreachable = archived.filter((c) => unreachedCause(c) !== undefined).length;
      result.unexplained.push(
        `${first.runId.slice(0, 8)} ${first.purpose}: ${archived.length} archived call(s), ${served.length} request(s) on the wire, ` +
          `${unreachable} call(s) that could have ended before reaching it, and no way to pair them`,
      );
      continue;
    }
    const seenTurns = new Set<string>();
    alignment.forEach((request, i) => {
      const call = archived[i]!;
      if (request === null) {
        result.unreached[unreachedCause(call)!]++;
        return;
      }
      if (seenTurns.has(call.turn)) result.repeatedTurns++;
      seenTurns.add(call.turn);
    });
  }
  return result;
}

/** `yes: 1086 archived = 1081 on the wire + 5 that ended before reaching it (timeout 5)`, or what does not add up. */
export function describeReconciliation(r: Reconciliation): string {
  const unreached = r.unreached.timeout + r.unreached.connection;
  const causes = Object.entries(r.unreached)
    .filter(([, n]) => n > 0)
    .map(([cause, n]) => `${cause} ${n}`)
    .join(', ');
  const ended = `${unreached} that ended before reaching it${causes ? ` (${causes})` : ''}`;
  if (r.unexplained.length === 0) return `yes: ${r.calls} archived = ${r.requests} on the wire + ${ended}`;
  return `NO: ${r.unexplained.length} conversation(s) do not add up (${r.calls} archived, ${r.requests} on the wire; elsewhere ${ended})`;
}
