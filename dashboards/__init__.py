"""Clinician side: sign-in, caseload trends, risk flags and the director's views.

May import from `feedback`; `feedback` never imports from here.
"""
