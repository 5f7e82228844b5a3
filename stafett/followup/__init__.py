"""Follow-up-break detection, notifications and the daily digest.

Running it:
- `manage.py db_worker` (django_tasks_db) runs the task queue;
- `manage.py run_followup` enqueues `run_rules` and `send_digests` once —
  run it from cron (e.g. `*/15 * * * *`); without cron,
  `manage.py run_followup --every 900` is a small scheduler loop that does
  the same; `--now` runs both in the calling process without the worker.
Digests are outbox messages of stafett.notify keyed per person and day, so
running often is safe: at most one digest per person and day.
"""
