"""The kinds of message this app sends through the outbox. The notify app
loads every app's `notify_kinds` module when Django starts (as the admin
finds `admin` modules), so any worker can render them without notify
importing the apps above it."""

from stafett.followup import engine  # noqa: F401  (registers the "digest" kind)
