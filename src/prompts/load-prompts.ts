import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../errors/index.js';
import { contentHash, placeholdersOf } from './render.js';

export interface PromptSet {
  /** Desk instructions shared by every desk (cacheable): no desk identity in it. */
  deskSystem: string;
  /** The event block, shared by every desk: the end of the cacheable prefix. */
  deskUser: string;
  /** The desk's own part, after the shared prefix: identity, brief, the ask. */
  deskBrief: string;
  /** The story's earlier events (E2…), shown to every desk: part of the shared prefix. */
  deskEarlier: string;
  /** One earlier event inside `deskEarlier`, fenced like the news event. */
  deskEarlierEvent: string;
  /** The desk's memory (its last view in the thread), after its brief: per desk, so never cached. */
  deskMemory: string;
  synthesisSystem: string;
  synthesisUser: string;
  repair: string;
  triageSystem: string;
  triageUser: string;
  /** `assess questions suggest`: checking a forecast question against newer events. */
  suggestSystem: string;
  suggestUser: string;
  /** Version of the desk prompts (system, user, brief, repair, earlier events, memory), recorded with each assessment. */
  deskHash: string;
  /** Version of the synthesizer prompts (system + user + repair), recorded with each synthesis. */
  synthesisHash: string;
  /** Version of the triage prompts (`assess watch --triage`). */
  triageHash: string;
  /** Version of the resolution-suggestion prompts (`assess questions suggest`). */
  suggestHash: string;
}

const FILES = {
  // The desk identity is kept out of the shared templates on purpose: anything desk-specific
  // there would end the prefix every desk shares, and with it the provider's prompt cache.
  deskSystem: ['desk.system.md', ['fence']],
  deskUser: ['desk.user.md', ['fence', 'event']],
  deskBrief: ['desk.brief.md', ['desk.id', 'desk.name', 'desk.country', 'desk.brief']],
  deskEarlier: ['desk.earlier.md', ['events']],
  deskEarlierEvent: ['desk.earlier-event.md', ['id', 'fence', 'event']],
  deskMemory: ['desk.memory.md', ['desk.id', 'date', 'run', 'fence', 'memory', 'since', 'cite.points', 'review.points']],
  synthesisSystem: ['synthesis.system.md', ['fence']],
  synthesisUser: ['synthesis.user.md', ['eventTitle', 'included', 'missing', 'fence', 'assessments']],
  repair: ['repair.md', ['issues']],
  triageSystem: ['triage.system.md', ['desks', 'fence']],
  triageUser: ['triage.user.md', ['fence', 'item']],
  suggestSystem: ['suggest.system.md', ['fence']],
  suggestUser: ['suggest.user.md', ['today', 'question.id', 'question.type', 'question.title', 'question.resolveBy', 'question.options', 'question.criteria', 'events', 'fence']],
} as const;

type Key = keyof typeof FILES;

/** Reads the templates and checks each uses only the placeholders the code fills. */
export async function loadPrompts(dir: string): Promise<PromptSet> {
  const texts = {} as Record<Key, string>;
  const entries = Object.entries(FILES) as [Key, (typeof FILES)[Key]][];
  // Read at once, checked in a fixed order, so the first broken template reported is always the same one.
  const read = await Promise.allSettled(entries.map(([, [file]]) => readFile(join(dir, file), 'utf8')));
  for (const [i, [key, [file, allowed]]] of entries.entries()) {
    const path = join(dir, file);
    const result = read[i]!;
    if (result.status === 'rejected') throw new InputError(`${path}: cannot read prompt template`, { cause: result.reason });
    const text = result.value;
    const unknown = placeholdersOf(text).filter((p) => !(allowed as readonly string[]).includes(p));
    if (unknown.length > 0) throw new InputError(`${path}: unknown placeholder(s) ${unknown.map((p) => `{{${p}}}`).join(', ')}`);
    texts[key] = text;
  }
  return {
    ...texts,
    // The earlier-event and memory templates are desk prompts too, even on runs that do not use them:
    // one version per template set keeps resume keys and comparisons simple.
    deskHash: contentHash(texts.deskSystem, texts.deskUser, texts.deskBrief, texts.repair, texts.deskEarlier, texts.deskEarlierEvent, texts.deskMemory),
    synthesisHash: contentHash(texts.synthesisSystem, texts.synthesisUser, texts.repair),
    triageHash: contentHash(texts.triageSystem, texts.triageUser, texts.repair),
    suggestHash: contentHash(texts.suggestSystem, texts.suggestUser, texts.deskEarlierEvent, texts.repair),
  };
}
