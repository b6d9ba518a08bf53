import type { LinkDecision, ThreadRef } from '../threads/context.js';

const score = (value: number): string => value.toFixed(2);

function fromOf(link: Pick<LinkDecision, 'detail'>): string {
  const from = link.detail['from'];
  return typeof from === 'string' ? from : 'another thread';
}

/** One decision in words: score, method and the thread it beat. */
export function describeLink(link: Pick<LinkDecision, 'method' | 'score' | 'runnerUp' | 'detail'>): string {
  const beat = link.runnerUp ? `; beat ${link.runnerUp.threadId} (${score(link.runnerUp.score)})` : '';
  switch (link.method) {
    case 'similarity':
      return `joined by similarity${link.score === null ? '' : ` ${score(link.score)}`}${beat}`;
    case 'model':
      return `joined on a small model's call${link.score === null ? '' : ` (similarity ${score(link.score)})`}${beat}`;
    case 'new':
      return link.runnerUp
        ? `started a new thread (closest: ${link.runnerUp.threadId} at ${score(link.runnerUp.score)}, below the join threshold)`
        : `started a new thread${link.score === null ? '' : ` (best similarity ${score(link.score)})`}`;
    case 'override':
      return 'put here by --thread or the feed\'s thread: setting';
    case 'override-new':
      return 'started a new thread by --new-thread or the feed\'s thread: new';
    case 'existing':
      return 'already in this thread';
    case 'move':
      return `moved here from ${fromOf(link)}`;
    case 'merge':
      return `merged in with ${fromOf(link)}`;
    case 'backfill':
      return 'archived before threads: a thread of its own';
  }
}

/** `Thread th-1a2b3c4d5e "Japan unveils…" · 2 events · joined by similarity 0.41; beat …`, for report headers. */
export function threadLine(thread: ThreadRef): string {
  return `Thread ${thread.id} "${thread.title}" · ${thread.events} event${thread.events === 1 ? '' : 's'} · ${describeLink(thread.link)}`;
}
