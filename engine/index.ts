/**
 * The in-process Pulumi engine: runs the program through Pulumi's own Node language host, as `pulumi up` does, and
 * hands back the synthesized stack; and the Lambda archive a function's code describes. The embedded cloud requires
 * this module only when it has something to synthesize (local/stack-source.ts), so what it uses is tagged @public.
 */
export { measureArchive, unpackArchive } from "./archive";
/** @public */
export { withCompileCache } from "./compile-cache";
/** @public */
export { LanguageHostRunError, synthesizeWithLanguageHost } from "./synthesize";
