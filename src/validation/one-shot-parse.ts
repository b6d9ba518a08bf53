/**
 * Options for Zod parses in a short-lived process. By default Zod compiles a specialised parser
 * (`new Function`) for each object schema the first time it parses one; that pays off after many
 * parses of the same schema, but an `assess run` parses each schema a handful of times, so the
 * compiling costs more than it saves (about 6% of a whole replay run's instructions, measured
 * with callgrind). Results are identical either way.
 */
export const ONE_SHOT_PARSE = { jitless: true } as const;
