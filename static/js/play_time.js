// The replay's axis, from the clock's events: the wall time at which the clock showed an exercise time,
// and play time — the stretches the clock ran, end to end.  A jump (a resume at the next morning) is no
// width at all, so a day's play is the whole scrubber, not a sliver beside the night; pauses take no
// exercise time, so they are not on it either.

const DAY = 86400;

export class PlayAxis {
  /** clockEvents: the `clock` events in order; end: the exercise time now (where a running stretch ends). */
  constructor(clockEvents, end) {
    this.segments = []; // exercise time [from, to) ran from wall time `wall` at `rate`
    for (const e of clockEvents) {
      const last = this.segments[this.segments.length - 1];
      if (last && last.to === null) { last.to = e.exercise_time; last.wallTo = Date.parse(e.ts); }
      if (e.op === "start" || e.op === "resume") this.segments.push({ from: e.exercise_time, to: null, wall: Date.parse(e.ts), rate: e.rate || 1 });
    }
    this.first = this.segments.length ? this.segments[0].from : 0;
    this.end = Math.max(this.first + 60, end ?? this.first);
    let start = 0;
    this.stretches = this.segments.map((s) => { // in play time: each starts where the one before ended
      const to = s.to ?? this.end;
      const stretch = { from: s.from, to, start, day: Math.floor(s.from / DAY) + 1 };
      start += Math.max(0, to - s.from);
      return stretch;
    });
  }

  /** The wall time at which the clock showed exercise time `time` (the end of a pause when it stood there). */
  wallAt(time) {
    let best = null;
    for (const s of this.segments) {
      if (time < s.from) break;
      if (s.to === null || time < s.to) return new Date(s.wall + ((time - s.from) / s.rate) * 1000);
      best = s;
    }
    if (best) return new Date(best.wallTo);
    return this.segments.length ? new Date(this.segments[0].wall - 1000) : new Date();
  }

  /** The play time at exercise time `time`: inside a jump, where play resumed. */
  playOf(time) {
    let last = 0;
    for (const s of this.stretches) {
      if (time < s.from) return s.start;
      if (time <= s.to) return s.start + (time - s.from);
      last = s.start + (s.to - s.from);
    }
    return last;
  }

  /** The exercise time at play time `play`. */
  timeOf(play) {
    // Where one stretch ends the next begins (day 1's 17:00 is day 2's 09:00): the later one, where play goes on.
    for (const s of this.stretches) if (play < s.start + (s.to - s.from)) return s.from + Math.max(0, play - s.start);
    const last = this.stretches[this.stretches.length - 1];
    return last ? last.to : this.first;
  }

  /** The exercise days played, in order. */
  days() {
    return [...new Set(this.stretches.map((s) => s.day))];
  }

  /** The play-time range of one exercise day's play, or of the whole exercise (`day` falsy). */
  range(day) {
    const inDay = this.stretches.filter((s) => !day || s.day === Number(day));
    if (!inDay.length) return [0, Math.max(1, this.playOf(this.end))];
    const last = inDay[inDay.length - 1];
    return [inDay[0].start, Math.max(inDay[0].start + 1, last.start + (last.to - last.from))];
  }
}
