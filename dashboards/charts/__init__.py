"""The dashboards' charts as plain plotly.js figures, one module per page; no re-exports here.

- `patient`: the patient page's four scale charts; `table` their text alternative, `points` the
  per-session facts both are built from, `marks` the ruptures' and missed sessions' symbols.
- `clinic`: the director's ended-treatments-by-month chart.
- `dates`, `style`: the date wording and the colours and font both pages share.

Pure functions of plain data: no Flask, no database, so they are cheap to test and to time.
"""
