"""`python -m bench.flag_validity`: run the flag validation harness at full size and write its
table (with seed, parameters and achieved rates) into RESULTS.md, section `flag-validity`.

The harness itself is `dashboards/validity/` (`flask --app app validate-flags`); this only
records a run beside the other results, on the machine it ran on.
"""

from __future__ import annotations

import argparse
import time

from bench.common import machine, write_section
from dashboards.validity.report import DEFAULT_PATIENTS, DEFAULT_SEED, run, to_markdown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients-per-group", type=int, default=DEFAULT_PATIENTS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args()
    started = time.perf_counter()
    table = to_markdown(run(patients_per_group=args.patients_per_group, seed=args.seed))
    seconds = time.perf_counter() - started
    write_section("flag-validity", [
        '<a id="flag-validity"></a>', "", table.rstrip(), "",
        f"Ran in {seconds:.0f} s on {machine()}. Reproduce: `.venv/bin/python -m bench.flag_validity` "
        "(or `flask --app app validate-flags`, which prints the same table).",
    ])
    print(table)


if __name__ == "__main__":
    main()
