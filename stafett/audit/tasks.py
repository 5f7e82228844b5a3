"""The audit trail's periodic work (django.tasks). Registered with the
follow-up's periodic loop by stafett.core (audit sits below followup); the
sealer's own loop, `manage.py seal_audit --every 5`, is what keeps sealing
within seconds (docs/audit.md)."""

from django.tasks import task

from stafett.audit import partitions, sealer


@task
def seal_audit() -> dict:
    return {"sealed": sealer.seal(), "partitions_created": partitions.ensure_partitions()}
