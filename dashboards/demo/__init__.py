"""Demo and synthetic data: the demo clinic (`clinic.py`, served by `flask --app app demo`), the
generator of treatments of known shapes it and the benchmarks use (`cohort.py`), and the writer
that stores such a history as the live app would have (`seeding.py`). Nothing in the product
imports this package except its command."""
