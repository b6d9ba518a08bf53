/** Whether an event argument names a web page (`http://…`, `https://…`) rather than a file. */
export const isPageUrl = (input: string): boolean => /^https?:\/\//i.test(input);
