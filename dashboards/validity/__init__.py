"""Validation harness for the flag engine: an independent generative model of post-session
answers (`parameters`, `forms`, `simulate`), a replay of the production evaluation after every
session (`replay`), and the per-group table of false alarms and detection (`metrics`,
`achieved`, `report`).

Plain Python like the engine it checks: no Flask app, no database. `cli.register(app)` adds the
`validate-flags` command; `python -m dashboards.validity` runs it without the app.
"""
