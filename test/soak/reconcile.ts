/**
 * The soak's self-check: the archive's account of the model calls against the fault server's
 * account of the requests.
 *
 * The two counts can differ for one honest reason: a call whose per-call timer fired (or whose
 * connection failed) before its request reached the server — on a loaded machine the client, the
 * server and their event loop share two cores, and a 3 s timer can run out before a request is
 * read. Such a call is archived (with its error, and no answer) and the server never records it.
 * Everything else is a real mismatch: a request the archive does not have, or a call missing from
 * the server that got an answer, or an error the server never sent.
 *
 * So calls are paired with requests per turn: one desk of one event (provider, system prompt and
 * first message: the conversation key the server records) and one message list (a retry resends
 * its turn, a repair is a new one). Within a turn the requests are identical, and under a stalled
 * event loop they need not reach the server in the order they were made, so only counts are
 * compared: every request needs a call of its turn; a call that got an answer needs a request the
 * server answered; an unanswered call that ended in any other error needs a request too; and the
 * calls left over must all be timeouts or connection failures without an answer. The check passes
 * only when every turn adds up; the calls left over are the explained difference.
 */

export interface ArchivedCall {
  /** The archive's row id. */
  id: number;
  /** Run id and purpose, to name the conversation in a message. */
  runId: string;
  purpose: string;
  conversation: string;
  turn: string;
  /** The model answered (text or token counts were recorded). */
  answered: boolean;
  error: string | null;
  /** How the call reads in a failure message (`repair, answered`); optional. */
  note?: string;
}

export interface ServedRequest {
  serial: number;
  conversation: string;
  turn: string;
  /**
   * The server sent a whole answer, or an error status: every request but a hang or a reset. (Not
   * "it saw the response finish": a client that has read the answer may close the connection
   * before the server's 'finish' event, and the server then records the request as aborted.)
   */
  answered: boolean;
  /** How the request reads in a failure message (`repair, fault hang`); optional. */
  note?: string;
}

export type UnreachedCause = 'timeout' | 'connection';

export interface Reconciliation {
  calls: number;
  requests: number;
  /** Archived calls that never reached the server. */
  unreached: number;
  /** What ended them: a turn whose leftover calls mix both causes counts under `timeout or connection`. */
  unreachedBy: Partial<Record<UnreachedCause | 'timeout or connection', number>>;
  /** Turns that do not add up, with why. Empty when every difference is explained. */
  unexplained: string[];
}

/** Why a call may have ended before its request reached the server; undefined if it cannot have. */
export function unreachedCause(call: ArchivedCall): UnreachedCause | undefined {
  if (call.answered || call.error === null) return undefined;
  if (/\btimed out\b/i.test(call.error)) return 'timeout';
  if (/connection (failed|error)|ECONNRESET|ECONNREFUSED|socket hang up|other side closed/i.test(call.error)) return 'connection';
  return undefined;
}

const groupBy = <T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> => {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
};

/** Why one turn's calls and requests do not add up, or undefined if they do. */
function turnProblem(calls: readonly ArchivedCall[], requests: readonly ServedRequest[]): string | undefined {
  const answered = calls.filter((c) => c.answered).length;
  const mustHaveRequest = calls.filter((c) => !c.answered && unreachedCause(c) === undefined).length;
  const answeredRequests = requests.filter((r) => r.answered).length;
  if (requests.length > calls.length) return `${requests.length - calls.length} request(s) more than the archive has calls`;
  if (answered > answeredRequests) return `${answered} answered call(s) but ${answeredRequests} answered request(s)`;
  if (answered + mustHaveRequest > requests.length) {
    return `${answered + mustHaveRequest} call(s) that must have reached the server but ${requests.length} request(s)`;
  }
  return undefined;
}

export function reconcile(calls: readonly ArchivedCall[], requests: readonly ServedRequest[]): Reconciliation {
  const result: Reconciliation = { calls: calls.length, requests: requests.length, unreached: 0, unreachedBy: {}, unexplained: [] };
  const turnOf = (x: { conversation: string; turn: string }) => `${x.conversation}\u0000${x.turn}`;
  const callsBy = groupBy([...calls].sort((a, b) => a.id - b.id), turnOf);
  const requestsBy = groupBy([...requests].sort((a, b) => a.serial - b.serial), turnOf);
  const turnNames = new Map<string, string>();
  const turnName = (turn: string) => turnNames.get(turn) ?? (turnNames.set(turn, `turn ${turn.slice(0, 6)}`), turnNames.get(turn)!);

  for (const [key, served] of requestsBy) {
    if (!callsBy.has(key)) {
      const r = served[0]!;
      result.unexplained.push(`${served.length} request(s) of conversation ${r.conversation}, ${turnName(r.turn)}, that the archive has no call of`);
    }
  }
  for (const [key, archived] of callsBy) {
    const served = requestsBy.get(key) ?? [];
    const first = archived[0]!;
    const problem = turnProblem(archived, served);
    if (problem !== undefined) {
      const callList = archived.map((c) => `${c.answered ? 'answered' : 'no answer'}${c.error ? ` "${c.error.slice(0, 60)}"` : ''}${c.note ? ` ${c.note}` : ''}`);
      const requestList = served.map((r) => `${r.answered ? 'answered' : 'no answer'}${r.note ? ` ${r.note}` : ''}`);
      result.unexplained.push(
        `${first.runId.slice(0, 8)} ${first.purpose}, ${turnName(first.turn)}: ${problem}; archive [${callList.join('; ')}], wire [${requestList.join('; ')}]`,
      );
      continue;
    }
    const leftOver = archived.length - served.length;
    if (leftOver === 0) continue;
    result.unreached += leftOver;
    const causes = new Set(archived.map(unreachedCause).filter((c) => c !== undefined));
    const cause = causes.size === 1 ? [...causes][0]! : 'timeout or connection';
    result.unreachedBy[cause] = (result.unreachedBy[cause] ?? 0) + leftOver;
  }
  return result;
}

/** `yes: 1086 archived = 1081 on the wire + 5 that ended before reaching it (timeout 5)`, or what does not add up. */
export function describeReconciliation(r: Reconciliation): string {
  const causes = Object.entries(r.unreachedBy)
    .map(([cause, n]) => `${cause} ${n}`)
    .join(', ');
  const ended = `${r.unreached} that ended before reaching it${causes ? ` (${causes})` : ''}`;
  if (r.unexplained.length === 0) return `yes: ${r.calls} archived = ${r.requests} on the wire + ${ended}`;
  return `NO: ${r.unexplained.length} turn(s) do not add up (${r.calls} archived, ${r.requests} on the wire; elsewhere ${ended})`;
}
