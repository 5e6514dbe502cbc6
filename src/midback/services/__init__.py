"""Use cases shared by the CLI and the web app, one module per family:

- ``screening``: take and keep a safety screen, read the current one, check a plan file;
- ``planning``: the one gate (``screened_request``), a person's plan and week;
- ``sessions`` and ``live``: begin, log, finish (browser and terminal alike);
  ``session_marks``: what each session held; ``today``: a returning person's session;
- ``progress``: each exercise's step, replayed from the records;
- ``records``: check-ins, history, export and import;
- ``courses``: a physiotherapist's course of weeks;
- ``clock``: whose day it is (the person's own time zone);
- ``store``: the stores the faces open (they never import ``midback.storage``);
- ``accounts``: passwords, for the terminal's user commands and the web's sign-in;
- ``clinical``, ``fhir`` and ``workspace``: a clinician's alerts, clearances, notes, exports,
  triage, programmes and the consent each patient gives.

Each use case takes its collaborators (the repository, the catalogue, ``now``) as arguments and
returns domain values; the faces parse, call one use case, and render.
"""

from __future__ import annotations

LOCAL_PERSON = 1
"""The one implicit person of local mode."""
