export { renderRunMarkdown, renderAssessmentMarkdown, renderRiskViewMarkdown } from './markdown.js';
export { renderRunJson, toRunJson } from './json.js';
export { cell, percent, usd } from './format.js';
export { renderRunHtml } from './html.js';
export { renderRunDiffMarkdown, renderAssessmentDiffMarkdown } from './diff-markdown.js';
export { renderCallLogMarkdown } from './call-log.js';
