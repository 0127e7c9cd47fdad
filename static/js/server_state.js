// The state of this page's view exactly as the server folds it (control/state.py): taken whole,
// then patched by the pushes that follow.  The page draws it; it never folds an event itself.

import { exerciseTimeNow } from "./views.js";

export class ServerState {
  /**
   * ask(): resolve with {version, state}: the last push of this view (over the socket), or the state
   * now with version null (then only a whole push is taken next).
   */
  constructor(ask) {
    this.ask = ask;
    this.state = null;
    this.version = null;
    this.skew = 0; // the server's clock minus this browser's, ms
    this.asking = null;
  }

  /** Take a whole state (from /api/state or the server's answer); `version`: the push it is, if any. */
  adopt(state, version = null) {
    this.state = state;
    this.version = version;
    this.skew = Date.parse(state.at) - Date.now();
  }

  /**
   * Take one push: a whole state, or a patch of the version this page has.  A patch of another
   * version means a push was missed: ask for the last one.  Resolve true when the state changed.
   */
  async take(push) {
    if (this.version !== null && push.version <= this.version) return false; // one already included
    if (push.state) { this.adopt(push.state, push.version); return true; }
    if (this.version !== null && push.from === this.version) {
      const { set, merge } = push.patch;
      Object.assign(this.state, set);
      for (const [key, entries] of Object.entries(merge)) {
        const table = this.state[key];
        for (const [id, value] of Object.entries(entries)) {
          if (value === null) delete table[id];
          else table[id] = value;
        }
      }
      this.version = push.version;
      if (set.at) this.skew = Date.parse(set.at) - Date.now();
      return true;
    }
    return this.refresh();
  }

  /** Ask the server for the last push of this view (after a reconnect, or a missed push). */
  async refresh() {
    if (!this.asking) {
      this.asking = this.ask().finally(() => { this.asking = null; });
    }
    const answer = await this.asking.catch(() => null);
    if (answer && answer.retry) { // the server asks to be asked again in a moment
      await new Promise((resolve) => { setTimeout(resolve, 1000); });
      return this.refresh();
    }
    if (!answer || !answer.state) return false;
    if (answer.version !== null && this.version !== null && answer.version <= this.version) return false;
    this.adopt(answer.state, answer.version);
    return true;
  }

  /** Exercise time now (seconds), from the last known clock: it runs on at its rate between pushes. */
  exerciseNow() {
    return exerciseTimeNow(this.state, this.skew);
  }

  /** Play time now (seconds): exercise time less the jumps (the nights), as the server counts it; an
   * inject still to do is late by playNow() - its due_play. */
  playNow() {
    const now = this.exerciseNow();
    const c = this.state.clock;
    return now === null || c.play_time == null ? now : now - (c.exercise_time - c.play_time);
  }
}
