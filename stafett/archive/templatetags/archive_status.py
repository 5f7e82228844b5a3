"""The archive status of a closed relay, on the relay's page.

The relay app sits below the archive and cannot ask it; its page loads this
tag, which reads the one delivery of the case. The page itself decided who
may see the relay; the status holds no more than what the page shows.
"""

from django import template

from stafett.archive.models import ArchiveDelivery

register = template.Library()


@register.inclusion_tag("archive/_status.html")
def archive_status(relay):
    delivery = (ArchiveDelivery.objects.filter(source=ArchiveDelivery.Source.RELAY,
                                               source_id=relay.pk)
                .only("status", "sent_at", "archived_at", "archive_reference", "error").first())
    return {"delivery": delivery, "relay": relay}
