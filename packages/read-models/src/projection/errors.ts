/**
 * An event arrived whose revision is more than one past the last one applied to its stream: an
 * earlier event is missing. Applying it would build views on a hole, so the batch fails instead;
 * the caller retries (the missing event may still come) and then reports it, never skips it.
 */
export class StreamGapError extends Error {
  readonly type = 'StreamGapError';
  constructor(
    readonly streamId: string,
    readonly expectedRevision: bigint,
    readonly actualRevision: bigint,
    readonly eventId: string,
  ) {
    super(
      `stream ${streamId}: expected revision ${expectedRevision} next, got ${actualRevision} (event ${eventId})`,
    );
  }
}

/**
 * The events contradict the views (an account event before the account was opened, a capture of
 * a hold that was never placed). A deterministic failure: retrying cannot help.
 */
export class ProjectionInvariantError extends Error {
  readonly type = 'ProjectionInvariantError';
  constructor(
    readonly streamId: string,
    readonly eventId: string,
    message: string,
  ) {
    super(`stream ${streamId}, event ${eventId}: ${message}`);
  }
}
