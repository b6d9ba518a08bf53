export { renderTemplate, placeholdersOf, fenceFor, contentHash } from './render.js';
export { loadPrompts, type PromptSet } from './load-prompts.js';
export { eventAsText, earlierEventAsText, renderDeskPrompt, renderRepairPrompt, renderSynthesisPrompt, type DeskPrompt } from './render-prompts.js';
export { renderDeskMemory, cutToTokens, MEMORY_MAX_TOKENS } from './render-memory.js';
