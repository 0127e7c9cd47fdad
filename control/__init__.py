"""ExCon: the control room of a multi-agency field exercise.

This package is the domain, with no Flask in it: the scenario, the event kinds, the event log,
the exercise clock, the state fold, who may do what, and the exports.  `control.web` is the thin
layer that serves it over HTTP and Socket.IO (`control.web.create_app`).
"""
