"""Colours and font every chart shares."""

from __future__ import annotations

# Okabe–Ito colours (distinguishable with colour-vision deficiencies); shapes and dashes carry
# the same distinction, so colour is never the only signal.
PATIENT_COLOUR, THERAPIST_COLOUR, NEUTRAL = "#0072B2", "#D55E00", "#4D5560"
FONT_FAMILY = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif"
