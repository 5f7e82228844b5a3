"""Notices in the app and the outbox of everything that leaves it.

The API the actions use is `stafett.notify.outbox.tell`; the kinds are in
`stafett.notify.kinds`, the delivery channels in `stafett.notify.channels`.
This app sits below relay, concerns and followup: it imports none of them
(a test checks), so any of them may call it.

Running it: `manage.py db_worker` runs the delivery task that `tell`
enqueues after commit; `manage.py run_followup` also enqueues a sweep (for
retries and anything whose enqueue was lost), and `manage.py deliver_outbox`
delivers in the calling process. `manage.py outbox` shows what needs an
operator. See docs/notifications.md.
"""
