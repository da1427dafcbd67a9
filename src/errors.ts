/**
 * Typed errors raised at the API boundary. Each message names the offending layer, weight,
 * file or value and says what is accepted, so a user can fix the call without reading code.
 */
export class CondensaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A numeric argument (density, amount, threshold, width...) is outside its accepted range. */
export class InvalidArgumentError extends CondensaError {}

/** A layer or weight name does not exist, or a layer kind is not supported by an operation. */
export class LayerError extends CondensaError {}

/** A tensor has the wrong shape, or holds NaN/Inf. */
export class TensorError extends CondensaError {}

/** A JSON spec (scheme, config) is invalid; `path` is the JSON path of the bad entry. */
export class SpecError extends CondensaError {
  constructor(
    public readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
}

/** A file is missing, truncated or fails its checksum. */
export class DataError extends CondensaError {}

/**
 * A queued job (search sample, sensitivity probe) failed on its worker; `jobId` names the job in
 * Redis (BullMQ keeps it, with the worker's error, until removed).
 */
export class QueueJobError extends CondensaError {
  constructor(
    public readonly jobId: string,
    message: string,
  ) {
    super(message);
  }
}
