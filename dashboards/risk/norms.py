"""The flag engine's norms (SD, session-to-session reliability, low cutoff per scale) from the
instrument files, where each number names its source. Plain Python: the validation harness uses
it too. A clinic's own adopted norms are applied in `adopted.py`."""

from __future__ import annotations

from functools import cache

from dashboards.flags.history import ScaleNorm
from feedback.instruments.loader import BUILTIN_DIR, load_file
from feedback.instruments.model import Instrument

#: The built-in patient form's newest version, whose norms the demo, the benchmarks and the tests use
#: (version 2 changed two Spanish texts, not the norms).
BUILTIN_PATIENT_FORM = BUILTIN_DIR / "post-session-patient-v2.yaml"


def norms_of(instrument: Instrument) -> dict[str, ScaleNorm]:
    return {
        scale_id: ScaleNorm(scale.norms.sd, scale.norms.reliability, scale.norms.low_cutoff, scale.norms.source)
        for scale_id, scale in instrument.scales.items()
        if scale.norms is not None
    }


@cache
def builtin_patient_norms() -> dict[str, ScaleNorm]:
    return norms_of(load_file(BUILTIN_PATIENT_FORM))
