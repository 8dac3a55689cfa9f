"""The director's calibration page: do the flags mean something in this clinic? Dropout by flag
kind among ended treatments (`outcomes.py`), the clinic's own noise estimated from its answers
(`estimate.py`), and adopting those norms for the clinic's flags (`norms.py`, `operations.py`)."""
