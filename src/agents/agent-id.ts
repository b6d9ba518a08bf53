/** Desk ids look like `JP-01`: two to four upper-case letters, a dash, two or three digits. */
export const AGENT_ID_PATTERN = /^[A-Z]{2,4}-\d{2,3}$/;
