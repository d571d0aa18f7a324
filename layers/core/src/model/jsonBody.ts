/**
 * A queue message body: JSON text, parsed and then checked against a schema in one zod pipeline, so
 * that unreadable JSON and a wrong field both fail as a parse error naming what is wrong. Powertools'
 * JSONStringified does the same, but it imports zod's whole namespace object, which puts every zod
 * locale into the bundle of each function using it (about 350 KiB, parsed at every cold start).
 */
import * as z from 'zod';

export const jsonBody = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .transform((text, ctx): unknown => {
      try {
        return JSON.parse(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `Invalid JSON - ${(error as Error).message}` });
        return z.NEVER;
      }
    })
    .pipe(schema);
