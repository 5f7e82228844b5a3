"""The data migration that merges children recorded twice (concerns 0003),
run for real: migrate back to before matching, create duplicates as the old
code did, migrate forward, and look at what is left."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from stafett.audit.models import AuditEvent
from stafett.concerns.children import child_for
from stafett.concerns.models import Child, Concern
from stafett.lib.national_id import make_synthetic
from stafett.relay.actions import open_relay_of
from stafett.relay.models import Guardian, Relay

BEFORE = [("concerns", "0001_initial"), ("relay", "0002_entry_events")]
BIRTH = dt.date(2021, 3, 4)
ELLA, SARA = make_synthetic(BIRTH, 1), make_synthetic(BIRTH, 2)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor


@pytest.mark.django_db(transaction=True)
def test_rows_with_one_identity_number_become_the_oldest(world):
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    executor = _migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    OldChild, OldConcern = old.get_model("concerns", "Child"), old.get_model("concerns", "Concern")
    OldRelay, OldGuardian = old.get_model("relay", "Relay"), old.get_model("relay", "Guardian")
    now = timezone.now()
    guide_id = old.get_model("guides", "Guide").objects.filter(
        municipality_id=world.fjordvik.pk).values_list("pk", flat=True).first()

    def child(name, national_id="", municipality=world.fjordvik):
        return OldChild.objects.create(municipality_id=municipality.pk, name=name,
                                       birth_date=BIRTH, national_id=national_id)

    def concern(child, author, service):
        return OldConcern.objects.create(
            municipality_id=child.municipality_id, service_id=service.pk, author_id=author.pk,
            child=child, guide_id=guide_id, observations="Sliten.", created_at=now,
            last_activity_at=now,
        )

    def relay(child, holder, service, status="open"):
        return OldRelay.objects.create(
            municipality_id=child.municipality_id, child=child, guide_id=guide_id, level=1,
            area_of_concern="Søvn.", holder_id=holder.pk, holder_service_id=service.pk,
            created_at=now, created_by_id=holder.pk, last_activity_at=now, status=status,
        )

    # Ella three times under one number: Kari's worry, Olav's open relay, and a
    # closed relay of Kari's with the mother registered (typed "Ela").
    ella = [child("Ella Strandvik", ELLA), child("ELLA STRANDVIK", ELLA), child("Ela Strandvik", ELLA)]
    karis_worry = concern(ella[0], world.teacher, world.kindergarten)
    olavs_relay = relay(ella[1], world.other_employee, world.school)
    closed = relay(ella[2], world.teacher, world.kindergarten, status="closed")
    mother = OldGuardian.objects.create(municipality_id=world.fjordvik.pk, child=ella[2],
                                        name="Trine Strandvik", relation="mor")
    # Sara twice, with an open relay on each: merging would give her two.
    sara = [child("Sara Nyland", SARA), child("Sara Nyland", SARA)]
    saras = [relay(sara[0], world.teacher, world.kindergarten),
             relay(sara[1], world.other_employee, world.school)]
    # Noah twice without a number: perhaps one boy, perhaps two.
    noah = [child("Noah Bergly"), child(" noah  bergly ")]
    # Ella's number in Åsheim is another municipality's child.
    asheims = child("Ella Strandvik", ELLA, municipality=world.asheim)

    _migrate(leaves)

    with scopes_disabled():
        kept = Child.objects.get(pk=ella[0].pk)
        assert kept.merged_ids == [ella[1].pk, ella[2].pk]
        assert not Child.objects.filter(pk__in=[ella[1].pk, ella[2].pk]).exists()
        assert Concern.objects.get(pk=karis_worry.pk).child_id == kept.pk
        assert {r.child_id for r in Relay.objects.filter(pk__in=[olavs_relay.pk, closed.pk])} == {kept.pk}
        assert Guardian.objects.get(pk=mother.pk).child_id == kept.pk
        # Each case still shows the child as it was typed for it.
        assert Concern.objects.get(pk=karis_worry.pk).child_name == "Ella Strandvik"
        assert Relay.objects.get(pk=olavs_relay.pk).child_name == "ELLA STRANDVIK"
        assert Relay.objects.get(pk=closed.pk).child_name == "Ela Strandvik"
        assert Relay.objects.get(pk=closed.pk).child_id_given

        left = {c.pk: c for c in Child.objects.filter(pk__in=[s.pk for s in sara + noah])}
        assert len(left) == 4
        assert left[sara[0].pk].duplicate_of_id is None
        assert left[sara[1].pk].duplicate_of_id == sara[0].pk
        assert left[noah[1].pk].duplicate_of_id == noah[0].pk
        assert left[noah[0].pk].name_key == left[noah[1].pk].name_key == "noah bergly"
        assert Child.objects.get(pk=asheims.pk).merged_ids == []

        # From now on the database refuses another row for Ella or Noah.
        for fields in ({"national_id": ELLA, "name_key": "ella"},
                       {"national_id": "", "name_key": "noah bergly"}):
            with pytest.raises(IntegrityError), transaction.atomic():
                Child.objects.create(municipality=world.fjordvik, name="x", birth_date=BIRTH,
                                     **fields)

    with scope(municipality=world.fjordvik):
        # A new registration of Sara finds the oldest row, and both open relays count as hers.
        assert child_for(world.fjordvik, name="Sara Nyland", birth_date=BIRTH,
                         national_id=SARA).pk == sara[0].pk
        Relay.objects.filter(pk=saras[0].pk).update(status="closed")
        assert open_relay_of(Child.objects.get(pk=sara[0].pk)).pk == saras[1].pk

    out = io.StringIO()
    call_command("duplicate_children", stdout=out)
    listing = out.getvalue()
    assert f"children {sara[0].pk}, {sara[1].pk}; open relays {saras[1].pk}" in listing
    assert f"same name and date, no identity number: children {noah[0].pk}, {noah[1].pk}" in listing
    assert "Strandvik" not in listing and "Sara" not in listing

    # With one of Sara's relays closed, the operator's --merge folds her rows together.
    out = io.StringIO()
    call_command("duplicate_children", "--merge", stdout=out)
    assert f"merged {sara[1].pk} into {sara[0].pk}" in out.getvalue()
    with scopes_disabled():
        assert Relay.objects.get(pk=saras[1].pk).child_id == sara[0].pk
        assert not Child.objects.filter(pk=sara[1].pk).exists()
        assert AuditEvent.objects.filter(action="merge_child", object_type="relay",
                                         object_id=saras[1].pk, child_id=sara[0].pk).exists()

    # Noah's two rows are merged only when a person says so, and never across municipalities.
    with pytest.raises(CommandError, match="different municipalities"):
        call_command("duplicate_children", "--merge-child", asheims.pk, "--into", kept.pk)
    call_command("duplicate_children", "--merge-child", noah[1].pk, "--into", noah[0].pk,
                 stdout=io.StringIO())
    with scopes_disabled():
        assert list(Child.objects.filter(name_key="noah bergly").values_list("pk", "merged_ids")) == [
            (noah[0].pk, [noah[1].pk])]
