"""`python -m dashboards.validity`: the same command without the Flask app."""

from dashboards.validity.cli import validate_flags_command

validate_flags_command(prog_name="python -m dashboards.validity")
