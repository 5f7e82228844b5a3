"""The report of concern to the child welfare service (bekymringsmelding,
barnevernsloven § 13-2): written from a worry or a relay, approved by the
leader, sent as KS Fiks "offentlig bekymringsmelding v2" with a PDF/A."""
from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "stafett.reports"
    label = "reports"
    verbose_name = "Reports of concern"

    def ready(self):
        # The outbox channel "report" and the receipt handler register on import.
        from stafett.reports import channels  # noqa: F401
