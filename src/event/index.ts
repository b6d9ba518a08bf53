export { NewsEventSchema, type NewsEvent, type NewsEventInput, type IdentifiedEvent } from './schema.js';
export { eventId, normalizeForId } from './event-id.js';
export { parseEventText, formatFromPath, sniffFormat, toNewsEvent, type EventFormat } from './parse-event-text.js';
export { readEvent, nodeEventReaders, type EventSpec, type EventReaders } from './read-event.js';
