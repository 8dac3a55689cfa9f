"""The session battery: the outcome measures (PHQ-9, GAD-7, ...) a patient answers after the
alliance form, on the same link, one page each. `rules` decides what is due (pure), `due` reads
what it needs from the database for one link, `store` keeps each measure as its page is sent."""
