export { AgentDefinitionSchema, AGENT_ID_PATTERN, MIN_BRIEF_WORDS, type AgentDefinition } from './definition.js';
export { loadAgents, parseAgentFile, selectAgents } from './load-agents.js';
