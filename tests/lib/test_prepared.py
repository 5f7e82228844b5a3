"""stafett.lib.prepared: the ORM's SQL written once, run with each call's
values, on SQLite and PostgreSQL alike, and never across municipalities."""

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django_scopes import scope, scopes_disabled
from django_scopes.exceptions import ScopeError

from stafett.lib.prepared import Columns, Prepared, together
from stafett.lib.rows import date_formatter
from stafett.tenancy.models import Membership, Service


def _services(kind, ids):
    return Service.objects.filter(kind=kind, pk__in=ids).order_by("name").values_list("name", "kind")


BY_KIND = Prepared(Service, _services)


def test_rows_are_the_orms_for_each_call_s_values(world):
    with scope(municipality=world.fjordvik):
        every = list(Service.objects.values_list("pk", flat=True))
        for kind, ids in [("basis", every), ("basis", every[:1]), ("hjelpe", every),
                          ("basis", set(every)), ("basis", [])]:
            assert BY_KIND.rows(kind=kind, ids=ids) == list(_services(kind, list(ids))), (kind, ids)
        assert BY_KIND.rows(kind="basis", ids=every)  # not only empty answers


def test_each_call_reads_its_own_municipality(world):
    """The municipality is a parameter of the statement, never the first caller's."""
    with scopes_disabled():
        ids = [world.school.pk, Service.objects.get(municipality=world.asheim, kind="basis").pk]
    with scope(municipality=world.fjordvik):
        fjordvik = BY_KIND.rows(kind="basis", ids=ids)
    with scope(municipality=world.asheim):
        asheim = BY_KIND.rows(kind="basis", ids=ids)
    assert fjordvik == [("Bakken skole", "basis")]
    assert asheim == [("Åsheim skole", "basis")]


def test_without_a_scope_a_tenant_query_still_raises(world):
    with pytest.raises(ScopeError):
        BY_KIND.rows(kind="basis", ids=[world.school.pk])


def test_dates_and_converted_values(world):
    """Dates go in as the backend takes them (SQLite: text) and come out as
    the ORM gives them (Django's converters)."""
    from stafett.relay.models import Consent
    from stafett.tenancy.models import Membership
    from tests.relay.helpers import make_relay

    with scopes_disabled():
        Membership.objects.create(municipality=world.fjordvik, service=world.health_station,
                                  user=world.teacher, role="employee")
    relay, _ = make_relay(world, holder=world.teacher)
    query = Prepared(Consent, lambda relay_id, today: Consent.objects.filter(
        relay_id=relay_id, valid_until__gte=today).values_list("valid_until", "recorded_at"))
    today = dt.date.today()
    with scope(municipality=world.fjordvik):
        [(valid_until, recorded_at)] = query.rows(relay_id=relay.pk, today=today)
        assert query.rows(relay_id=relay.pk, today=today + dt.timedelta(days=400)) == []
    assert valid_until == today + dt.timedelta(days=365)
    assert isinstance(recorded_at, dt.datetime) and timezone.is_aware(recorded_at)


NAME_OF = Prepared(Service, lambda service_id: Service.objects.filter(pk=service_id).values_list("name"))
ROLES = Prepared(Membership, lambda user: (
    Membership.objects.filter(user_id=user).order_by("pk").values_list("role", "user__date_joined")))


def test_statements_run_together_give_what_each_gives_alone(world):
    """`together` (one pipeline on PostgreSQL) gives each call's own rows, in
    order, converted as alone, each statement still logged as a query of its
    own; a statement planned on every run (a list) and one with no row join
    in, inside a transaction as well as outside one."""
    calls = [NAME_OF.call(service_id=world.school.pk), ROLES.call(user=world.leader.pk),
             BY_KIND.call(kind="basis", ids=[world.school.pk]), NAME_OF.call(service_id=0),
             NAME_OF.call(service_id=world.kindergarten.pk)]
    with scope(municipality=world.fjordvik):
        alone = [prepared.rows(**values) for prepared, values, _suffix in calls]
        with CaptureQueriesContext(connection) as queries:
            outside = together(*calls)
        with transaction.atomic():
            inside = together(*calls)
    assert outside == inside == alone
    assert len(queries) == len(calls)
    assert alone[0] == [("Bakken skole",)] and alone[2] == [("Bakken skole", "basis")] and alone[3] == []
    assert alone[1] and timezone.is_aware(alone[1][0][1])
    with scope(municipality=world.asheim):  # each run reads its own municipality
        assert together(NAME_OF.call(service_id=world.school.pk), ROLES.call(user=world.leader.pk)) == [[], []]


def test_a_value_the_sql_does_not_take_as_a_parameter_is_refused(world):
    ignores = Prepared(Service, lambda service_id: Service.objects.values_list("name"))
    inlined = Prepared(Service, lambda n: Service.objects.values_list("name")[:n])
    wrapped = Prepared(Service, lambda name: Service.objects.filter(name__contains=name).values_list("name"))
    with scope(municipality=world.fjordvik):
        with pytest.raises(ImproperlyConfigured):
            wrapped.rows(name="skole")
        with pytest.raises(ImproperlyConfigured):
            ignores.rows(service_id=1)
        with pytest.raises(ImproperlyConfigured):
            inlined.rows(n=3)


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
@pytest.mark.parametrize("fmt", ["c", "j. F Y H:i", "d.m.Y H:i", "j. F Y", "{j}. \\F"])
def test_date_formatter_writes_what_the_date_filter_writes(language, fmt):
    template = Template("{{ value|date:fmt }}")
    moments = [timezone.now(), dt.datetime(2026, 3, 1, 0, 5, tzinfo=dt.UTC),
               dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC), dt.datetime(2026, 12, 31, 23, 59, tzinfo=dt.UTC)]
    with translation.override(language):
        shown = date_formatter(fmt)
        for value in moments:
            assert shown(value) == template.render(Context({"value": value, "fmt": fmt}))


MEMBERSHIP = Columns(Membership, ("service", "service__municipality", "user"))
MEMBERSHIPS = Prepared(Membership, lambda user: (
    Membership.objects.filter(user_id=user).order_by("pk").values_list(*MEMBERSHIP.names)))


def test_columns_make_what_select_related_makes_nested_ones_included(world):
    with scope(municipality=world.fjordvik):
        expected = list(Membership.objects.filter(user=world.leader).order_by("pk")
                        .select_related("service", "service__municipality", "user"))
        shared = {}
        with CaptureQueriesContext(connection) as queries:
            made = [MEMBERSHIP.instance(row, shared=shared) for row in MEMBERSHIPS.rows(user=world.leader.pk)]
            seen = [(m.pk, m.role, m.service.name, m.service.municipality.name, m.user.username) for m in made]
    assert len(queries) == 1  # the related objects, the nested one too, came with the rows
    assert seen == [(m.pk, m.role, m.service.name, m.service.municipality.name, m.user.username)
                    for m in expected]
    assert seen
    # Rows naming the same person share one object (the `shared` dict).
    assert len({id(m.user) for m in made}) == 1


def test_columns_refuse_a_nested_object_before_its_parent():
    with pytest.raises(ImproperlyConfigured):
        Columns(Membership, ("service__municipality",))


def _prepared_on_server() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [statement for (statement,) in cursor.fetchall()]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statements are prepared on PostgreSQL")
def test_postgresql_prepares_a_statement_by_one_id_and_plans_a_list_each_time(world, settings):
    by_id = Prepared(Service, lambda service_id: Service.objects.filter(pk=service_id).values_list("name"))
    with scope(municipality=world.fjordvik):
        for _ in range(7):  # past the five runs after which PostgreSQL may keep a generic plan
            assert by_id.rows(service_id=world.school.pk) == [("Bakken skole",)]
            assert by_id.rows(service_id=world.kindergarten.pk) == [(world.kindergarten.name,)]
            assert BY_KIND.rows(kind="basis", ids=[world.school.pk]) == [("Bakken skole", "basis")]
    prepared = _prepared_on_server()
    assert any('"tenancy_service"."id" = $' in statement for statement in prepared)
    assert not any('"tenancy_service"."kind" = $' in statement for statement in prepared)  # the list's
    # Timestamps come back as the ORM gives them, with STAFETT_PREPARE_STATEMENTS off too.
    when = Prepared(Membership, lambda user: Membership.objects.filter(user_id=user).values_list("user__date_joined"))
    with scope(municipality=world.fjordvik):
        prepared_value = when.rows(user=world.teacher.pk)
        settings.STAFETT_PREPARE_STATEMENTS = False
        assert when.rows(user=world.teacher.pk) == prepared_value
    assert timezone.is_aware(prepared_value[0][0])


def test_rows_read_in_binary_are_the_rows_read_as_text(world):
    """`binary=True` (PostgreSQL's binary format; nothing changes on SQLite):
    numbers, text, booleans and aware timestamps come back as the ORM's own
    rows, alone and run together, in the same time zone."""

    def build(user):
        return (Membership.objects.filter(user_id=user).order_by("pk")
                .values_list("pk", "role", "active", "service__name", "user__date_joined"))

    text, binary = Prepared(Membership, build), Prepared(Membership, build, binary=True)
    with scope(municipality=world.fjordvik):
        orm = [tuple(row) for row in build(world.leader.pk)]
        assert orm and binary.rows(user=world.leader.pk) == text.rows(user=world.leader.pk) == orm
        assert together(binary.call(user=world.leader.pk), text.call(user=world.teacher.pk)) == [
            orm, text.rows(user=world.teacher.pk)]
        joined = binary.rows(user=world.leader.pk)[0][-1]
    assert timezone.is_aware(joined) and joined.utcoffset() == dt.timedelta(0)
