// The runner's version, as `spindle --version` prints it: the package's
// version in deno.json (a test holds the two together).

/** The version of the `@spindle/spindle` package this runner belongs to. */
export const VERSION = "0.1.0";
