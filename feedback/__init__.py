"""Patient-facing side: instruments, invitations, the survey pages and message delivery.

Nothing in here imports from `dashboards`; the clinician side builds on this one.
"""
