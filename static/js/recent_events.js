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

  /** Forget what the page no longer shows: keep the latest `n` events and those `wanted(event)` keeps. */
  prune(n, wanted) {
    const latest = new Set([...this.bySeq.keys()].sort((a, b) => b - a).slice(0, n));
    for (const [seq, event] of this.bySeq) {
      if (!latest.has(seq) && !wanted(event)) this.bySeq.delete(seq);
    }
    const kept = new Set([...this.bySeq.values()].map((e) => e.id));
    for (const id of this.seqOf.keys()) if (!kept.has(id)) this.seqOf.delete(id);
    for (const id of this.withdrawn) if (!kept.has(id)) this.withdrawn.delete(id);
  }

  /** The last `n` events, newest first. */
  latest(n) {
    return [...this.bySeq.keys()].sort((a, b) => b - a).slice(0, n).map((seq) => this.bySeq.get(seq));
  }
}
