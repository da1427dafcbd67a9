/**
 * Channel spaces and channel layouts: the bookkeeping behind the dependency graph.
 *
 * A *channel space* is a set of channels that must be indexed identically wherever it appears:
 * a Conv2D's output channels, the BatchNormalization and ReLU after it, and (through an `Add`)
 * the channels of every other branch of a residual stage. Removing channel `c` of a space removes
 * it from every tensor that carries the space, so a space is exactly a "group" of coupled channels.
 * Spaces are merged with union-find when a merge layer (`Add`, `Multiply`, ...) ties them.
 *
 * A *layout* describes a tensor's last axis in terms of spaces: a list of segments (one per space,
 * in order: `Concatenate` produces several) repeated `positions` times. `positions` is 1 for an
 * ordinary NHWC/NC tensor and h*w after `Flatten`, where entry `(i*W + j)*C + c` of the flattened
 * vector holds channel `c` at spatial position (i, j).
 */
export interface Segment {
  space: number;
  size: number;
}

export interface ChannelLayout {
  segments: Segment[];
  /** How many times the segment list repeats along the last axis (h*w after Flatten). */
  positions: number;
}

/** Why a space's channels may not be removed (model input/output, an unsupported consumer...). */
export interface Pin {
  reason: string;
  /** Set when the pin comes from a layer compaction cannot go through: removing channels is an error. */
  blockingLayer?: { name: string; className: string };
}

/** Union-find over channel spaces. */
export class ChannelSpaces {
  private readonly parent: number[] = [];
  private readonly sizes: number[] = [];
  private readonly pins = new Map<number, Pin[]>();

  /** A fresh space of `size` channels. */
  create(size: number): number {
    const id = this.parent.length;
    this.parent.push(id);
    this.sizes.push(size);
    return id;
  }

  root(id: number): number {
    let r = id;
    while (this.parent[r] !== r) r = this.parent[r];
    // Path compression keeps repeated lookups cheap on deep residual networks.
    let x = id;
    while (this.parent[x] !== r) {
      const next = this.parent[x];
      this.parent[x] = r;
      x = next;
    }
    return r;
  }

  size(id: number): number {
    return this.sizes[this.root(id)];
  }

  /** Tie two spaces together (they must have the same number of channels). Returns the new root. */
  union(a: number, b: number): number {
    const ra = this.root(a);
    const rb = this.root(b);
    if (ra === rb) return ra;
    if (this.sizes[ra] !== this.sizes[rb]) {
      throw new Error(`cannot tie channel sets of ${this.sizes[ra]} and ${this.sizes[rb]} channels`);
    }
    this.parent[rb] = ra;
    const moved = this.pins.get(rb);
    if (moved) {
      this.pins.set(ra, [...(this.pins.get(ra) ?? []), ...moved]);
      this.pins.delete(rb);
    }
    return ra;
  }

  pin(id: number, pin: Pin): void {
    const r = this.root(id);
    this.pins.set(r, [...(this.pins.get(r) ?? []), pin]);
  }

  pinsOf(id: number): Pin[] {
    return this.pins.get(this.root(id)) ?? [];
  }

  /** Root ids of all spaces. */
  roots(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.parent.length; i++) if (this.root(i) === i) out.push(i);
    return out;
  }
}

/** A layout made of one fresh space of `size` channels. */
export function singleSpace(space: number, size: number): ChannelLayout {
  return { segments: [{ space, size }], positions: 1 };
}

/** Total channels of one repetition of a layout (the C of `(i*W + j)*C + c`). */
export function channelCount(layout: ChannelLayout): number {
  return layout.segments.reduce((s, seg) => s + seg.size, 0);
}

/** Length of the tensor's last axis. */
export function entryCount(layout: ChannelLayout): number {
  return channelCount(layout) * layout.positions;
}

/**
 * Visit every last-axis entry of a layout with the (root space, channel) it carries.
 */
export function forEachEntry(
  layout: ChannelLayout,
  spaces: ChannelSpaces,
  fn: (entry: number, space: number, channel: number) => void,
): void {
  const c = channelCount(layout);
  for (let p = 0; p < layout.positions; p++) {
    let offset = 0;
    for (const seg of layout.segments) {
      const root = spaces.root(seg.space);
      for (let ch = 0; ch < seg.size; ch++) fn(p * c + offset + ch, root, ch);
      offset += seg.size;
    }
  }
}

/** Last-axis entries whose channel is kept (`keep.get(root)[c]`; spaces absent from `keep` are kept whole). */
export function keptEntries(
  layout: ChannelLayout,
  spaces: ChannelSpaces,
  keep: Map<number, boolean[]>,
): number[] {
  return entriesWhere(layout, spaces, keep, true);
}

/** Last-axis entries whose channel is removed. */
export function removedEntries(
  layout: ChannelLayout,
  spaces: ChannelSpaces,
  keep: Map<number, boolean[]>,
): number[] {
  return entriesWhere(layout, spaces, keep, false);
}

function entriesWhere(
  layout: ChannelLayout,
  spaces: ChannelSpaces,
  keep: Map<number, boolean[]>,
  kept: boolean,
): number[] {
  const out: number[] = [];
  forEachEntry(layout, spaces, (e, s, c) => {
    const k = keep.get(s);
    if ((!k || Boolean(k[c])) === kept) out.push(e);
  });
  return out;
}
