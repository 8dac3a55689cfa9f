"""Colours and font every chart shares."""

from __future__ import annotations

# Okabe–Ito colours (distinguishable with colour-vision deficiencies); shapes and dashes carry
# the same distinction, so colour is never the only signal.
PATIENT_COLOUR, THERAPIST_COLOUR, NEUTRAL = "#0072B2", "#D55E00", "#4D5560"
FONT_FAMILY = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif"
#: Height in px the mode bar (the download button, shown while a mouse is over a chart) takes in the
#: top right corner: every figure keeps a top margin at least this tall, so it hides no label.
MODE_BAR_ROOM = 30
