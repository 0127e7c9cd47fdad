// The recent events a page shows (feed, timeline window, a site's latest), as they now read: a
// withdrawn entry is marked, and an amended one replaced by the corrected copy the server sends
// with the amend (`entry`).  Nothing else is derived here: counts and states come from the server.

export class RecentEvents {
  constructor() {
    this.bySeq = new Map(); // seq -> event, as it now reads
    this.seqOf = new Map(); // id -> seq
    this.withdrawn = new Set(); // ids of withdrawn entries
  }

  /** Take one event (from a load, a catch-up or a broadcast), in seq order. */
  add(event) {
    if (event.kind === "retract") this.withdrawn.add(event.target);
    if (event.kind === "amend") {
      const seq = this.seqOf.get(event.target);
      if (event.removed && seq !== undefined) this.bySeq.delete(seq);
      else if (event.entry && seq !== undefined) this.bySeq.set(seq, event.entry);
    }
    this.bySeq.set(event.seq, event);
    this.seqOf.set(event.id, event.seq);
  }

  isWithdrawn(event) {
    return this.withdrawn.has(event.id);
  }

  /** Every event kept, in seq order. */
  all() {
    return [...this.bySeq.values()].sort((a, b) => a.seq - b.seq);
  }

  /** The last `n` events, newest first. */
  latest(n) {
    return [...this.bySeq.keys()].sort((a, b) => b - a).slice(0, n).map((seq) => this.bySeq.get(seq));
  }
}
