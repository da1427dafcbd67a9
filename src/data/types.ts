/** One split of a dataset: `count` images stored NHWC as bytes, and one label byte each. */
export interface Split {
  /** `count * h * w * c` bytes, image-major, then row, column, channel (NHWC). */
  images: Uint8Array;
  /** `count` class indices. */
  labels: Uint8Array;
  count: number;
}

/** A loaded image-classification dataset. */
export interface Dataset {
  name: string;
  train: Split;
  test: Split;
  /** Class names, indexed by label. */
  classes: string[];
  /** Image shape [height, width, channels]. */
  shape: [number, number, number];
}

/**
 * Progress of a fetch: `done` of `total` units of the step named by `what` (bytes while
 * downloading, files while converting). A new `what` starts a new step.
 */
export type ProgressCallback = (done: number, total: number, what: string) => void;

/** Options of the dataset loaders. */
export interface LoadOptions {
  /** Root of the cache; the dataset's files live in `<dataDir>/<dataset>/`. Default: env
   * CONDENSA_DATA_DIR, else `$XDG_CACHE_HOME/condensa-ts` or `~/.cache/condensa-ts`. */
  dataDir?: string;
  onProgress?: ProgressCallback;
  /** Never download (also env CONDENSA_OFFLINE=1): a missing or bad file is an error. */
  offline?: boolean;
}
