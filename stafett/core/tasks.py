"""Periodic work of apps below the follow-up that cannot register themselves
with `followup.tasks.periodic` (imports point down only): core, at the top,
registers them. Loaded from CoreConfig.ready."""

from stafett.followup.tasks import periodic
from stafett.surveys.tasks import close_survey_waves

periodic(close_survey_waves)

# The leadership view's snapshot (docs/suppression.md, "Snapshots").
from stafett.insights.tasks import refresh_insights  # noqa: E402

periodic(refresh_insights)
