/**
 * Exit statuses of the `socketeer` command, stable so that scripts can branch
 * on them. docs/cli.md documents the same table.
 */
export const ExitCode = {
  /** The connection closed cleanly (or the command finished normally). */
  Ok: 0,
  /** Something went wrong at run time: a port in use, an unreadable file... */
  Failure: 1,
  /** The command line was wrong: unknown option, missing argument, bad value. */
  Usage: 2,
  /** The connection could not be opened: refused, DNS, TLS, a non-101 answer. */
  HandshakeFailed: 3,
  /** The connection opened but did not end with a completed closing handshake. */
  UncleanClose: 4,
} as const;
