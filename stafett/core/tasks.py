"""Periodic work of apps below the follow-up that cannot register themselves
with `followup.tasks.periodic` (imports point down only): core, at the top,
registers them. Loaded from CoreConfig.ready."""

from stafett.audit.tasks import seal_audit
from stafett.followup.tasks import periodic
from stafett.insights.tasks import refresh_insights
from stafett.surveys.tasks import close_survey_waves

periodic(close_survey_waves)
# The audit sealer's fallback where only run_followup runs; `seal_audit
# --every 5` beside the worker is what keeps sealing within seconds.
periodic(seal_audit)
# The leadership view's snapshot (docs/suppression.md, "Snapshots").
periodic(refresh_insights)
