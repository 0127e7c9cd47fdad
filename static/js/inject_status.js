// How an inject stands on the control cell's boards (the director's screen, the wall): its status,
// DUE or OVERDUE by play time, and — for a branching inject or one out to some of its teams — how it
// stands for each team and what it waits for.  All from the state the server folds.

import { RULES } from "/rules.js";
import { LANG, t } from "./i18n.js";
import { DAY, minutes, pad, u } from "./views.js";

/** Whether an inject still has to go out and has a time to fall due at (a recalled ad-hoc one has none). */
export const stillToDo = (entry) => RULES.still_to_do.includes(entry.status) && entry.due != null;

/** How an inject stands on a board: {key: its status, or "due" / "overdue", label: "OVERDUE +12 min"},
 * late by the play time now (`played`: ServerState.playNow(); the night is not lateness). */
export function injectStatus(entry, played) {
  const shout = (status) => t(RULES.labels.status[status]).toLocaleUpperCase(LANG);
  const label = shout(entry.status);
  if (stillToDo(entry) && entry.waiting) return { key: "waiting", label: shout("waiting") }; // no team has met its condition
  if (!stillToDo(entry) || played === null) return { key: entry.status, label };
  const late = played - (entry.due_play ?? entry.due);
  const why = (text) => (entry.status === "deferred" ? t("%(status)s (deferred)", { status: text })
    : entry.status === "recalled" ? t("%(status)s (recalled)", { status: text }) : text);
  if (late >= RULES.overdue_after) {
    return { key: "overdue", label: why(t("%(status)s +%(minutes)s min", { status: shout("overdue"), minutes: Math.round(late / 60) })) };
  }
  if (late >= 0) return { key: "due", label: why(shout("due")) };
  return { key: entry.status, label };
}

/** What a conditional inject waits for, in a few words: "after I-17 +20 min", "when the team logs “Inspection”". */
export function conditionText(condition, actionLabel) {
  const later = condition.minutes ? ` ${t("+%(minutes)s min", { minutes: condition.minutes })}` : "";
  if (condition.after) return t("after %(inject)s", { inject: u(condition.after) }) + later;
  if (condition.answers) return t("when the team answers %(inject)s", { inject: u(condition.answers) }) + later;
  return t("when the team logs “%(action)s”", { action: u(actionLabel(condition.action_type)) }) + later;
}

/** How an inject stands for each of its teams, when it does not stand the same for all: released to
 * some (the others still to do), or due team by team as each meets its condition.  [{team, key, text}]
 * (key: released, due, overdue, waiting, pending), or null when one status says it all. */
export function teamsStatus(entry, teams, played, actionLabel) {
  const released = entry.released || {};
  const split = entry.teams_due || (entry.status !== RULES.inject_status.inject && Object.keys(released).length);
  if (!split) return null;
  return teams.map((team) => {
    if (team in released) {
      const answered = (entry.responses || {})[team];
      return { team, key: "released", text: answered === undefined ? t("released") : t("released, answered after %(time)s", { time: minutes(answered) }) };
    }
    const due = (entry.teams_due || {})[team];
    if (due && due.due === null) return { team, key: "waiting", text: due.waiting_on.map((c) => conditionText(c, actionLabel)).join(", ") };
    const duePlay = due ? due.due_play : entry.due_play;
    const at = due ? due.due : entry.due;
    const time = at == null ? "" : `${pad(Math.floor((at % DAY) / 3600))}:${pad(Math.floor((at % 3600) / 60))}`;
    if (played !== null && duePlay != null && played - duePlay >= RULES.overdue_after) {
      return { team, key: "overdue", text: t("overdue since %(time)s", { time }) };
    }
    if (played !== null && duePlay != null && played >= duePlay) return { team, key: "due", text: t("due since %(time)s", { time }) };
    return { team, key: "pending", text: time ? t("due at %(time)s", { time }) : t("still to do") };
  });
}

/** What an MSEL row waits for, team by team, in words ("" for one that falls due at its time alone). */
export const waitsText = (row, actionLabel) => [row.after && conditionText({ after: row.after.inject, minutes: row.after.minutes }, actionLabel),
  row.when && conditionText(row.when, actionLabel)].filter(Boolean).join(", ");
