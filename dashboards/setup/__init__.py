"""Setting up a clinic: clinics, clinician accounts, patients and sessions, from the command line
(`cli.py`) and the pages (through `operations.py`, the use cases that commit)."""
