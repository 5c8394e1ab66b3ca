// Errors a user of the conformance tool can cause, with stable codes.
export class ConformanceError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConformanceError';
  }
}
