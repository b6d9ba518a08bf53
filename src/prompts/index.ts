export { renderTemplate, placeholdersOf, fenceFor, contentHash } from './render.js';
export { loadPrompts, type PromptSet } from './load-prompts.js';
export { eventAsText, renderDeskPrompt, renderRepairPrompt, renderSynthesisPrompt, type DeskPrompt } from './render-prompts.js';
