"""Questionnaires defined as data files: loading, validation, answers and scoring."""
