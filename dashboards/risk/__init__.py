"""Risk flags in the app: load histories from the database, evaluate them with the pure
engine in `dashboards.flags`, and keep the results where dashboards can read them quickly."""
