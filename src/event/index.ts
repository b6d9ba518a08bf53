export { NewsEventSchema, EventCutSchema, type NewsEvent, type NewsEventInput, type IdentifiedEvent, type EventCut } from './schema.js';
export { eventId, normalizeForId } from './event-id.js';
export { parseEventText, formatFromPath, sniffFormat, toNewsEvent, type EventFormat } from './parse-event-text.js';
export { readEvent, nodeEventReaders, type EventSpec, type EventReaders } from './read-event.js';
export { sanitizeText, sanitizeLine, sanitizeEventFields } from './sanitize-text.js';
export { DEFAULT_MAX_EVENT_CHARS, MAX_TITLE_CHARS, capBody, capTitle, capEvent, countChars, cutMarker, describeCut, type EventLimits } from './size-cap.js';
export { decodeUtf8, firstInvalidUtf8Offset } from './decode-utf8.js';
export { isPageUrl } from './page-url.js';
