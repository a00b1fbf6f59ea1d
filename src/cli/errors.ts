// The CLI's own failure: one the user can act on, printed as is (exit code 1). Kept in a module of
// its own so the command table loads without the chain client.

export class CliError extends Error {
  override name = 'CliError';
}
