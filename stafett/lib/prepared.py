"""Queries of a fixed shape whose SQL the ORM writes once per process.

Building a queryset (filter, select_related, annotations) and compiling it
costs Django 0.5–2 ms of CPU; running the same statement on a cursor costs
well under 0.1 ms. A page that reads a dozen small things about one record
(the relay overview) spent most of its time there. `Prepared` lets the ORM
write the statement once per database connection alias, with stand-in values
for the parameters, and then runs that SQL with each request's values and
Django's own converters: the SQL is exactly what the ORM wrote, so what a
query means stays written in the ORM beside the models.

Tenancy stays enforced. The statement is compiled inside a scope whose
municipality is a stand-in, so every scoped manager in it (subqueries
included) filters on a parameter; each run puts the current scope's
municipality there. With no scope, or scopes disabled, the queryset is
built and run the ordinary way (a scoped model then raises, as it would).

Only rows are reused, never results: each call runs the statement.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
import threading
from collections.abc import Callable, Sequence

import psycopg
from django.conf import settings
from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import connections, router
from django.db.backends.postgresql.psycopg_any import register_tzloader
from django.db.models import signals
from django.db.models.base import ModelState
from django_scopes import get_scope, scope

# Stand-ins: each parameter (and each element of a list) gets its own value,
# one no query has as a constant. They are never run, but they must be valid
# for every integer field, even a positive small one: Django compiles an
# out-of-range integer into "matches nothing".
_INT_BASE = 30_000


_BIGINT = range(-(2**63), 2**63)


def _fits(value) -> bool:
    """Every integer in `value` (one, or a list of ids) fits a 64-bit column."""
    if isinstance(value, (list, tuple, set, frozenset)):
        return all(map(_fits, value))
    return not isinstance(value, int) or isinstance(value, bool) or value in _BIGINT


def preparing_cursor(connection, *, binary: bool = False):
    """A cursor of `connection` for a prepared statement. On PostgreSQL it
    binds the values on the server and has the server prepare the statement
    on first use (psycopg keeps it per connection), so later runs skip the
    planner's work too: 0.3-1.3 ms for the policies' joins and subqueries,
    against well under 0.1 ms to run them. The cursor is wrapped as Django
    wraps its own (query logging, execute_wrapper, error translation).
    STAFETT_PREPARE_STATEMENTS=False turns it off (a pooler in transaction
    mode before PgBouncer 1.21 cannot keep statements prepared). `binary`:
    the rows come back in PostgreSQL's binary format (Prepared's `binary`)."""
    if connection.vendor != "postgresql" or not settings.STAFETT_PREPARE_STATEMENTS:
        return connection.cursor()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        raw = (_BinaryPreparingCursor if binary else _PreparingCursor)(connection.connection)
        # As Django's create_cursor: timestamps in the connection's time zone.
        if _tzloader_of(raw).timezone != connection.timezone:
            register_tzloader(connection.timezone, raw)
    return connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)


class _PreparingCursor(psycopg.Cursor):
    binary_rows = False

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary or self.binary_rows)


class _BinaryPreparingCursor(_PreparingCursor):
    binary_rows = True


def _tzloader_of(cursor):
    return cursor.adapters.get_loader(psycopg.adapters.types["timestamptz"].oid, psycopg.pq.Format.TEXT)


class _Slot:
    __slots__ = ("name", "index", "adapt")

    def __init__(self, name, index, adapt):
        self.name, self.index, self.adapt = name, index, adapt


class _Compiled:
    __slots__ = ("sql", "params", "slots", "converters")


class Prepared:
    """`build(**values)` returns a `values_list()` queryset of a fixed shape;
    `rows(**values)` runs it and returns its rows as tuples, converted as the
    ORM converts them. A parameter given a list or tuple is a list of ids
    (an `IN`): a statement is compiled for each length met. Each parameter must reach the SQL as a parameter,
    never inlined: checked when compiling. `suffix` is appended to the SQL
    with its own parameters (`rows(..., suffix_params=[...])`), e.g. a
    LIMIT/OFFSET of a page. On PostgreSQL the statement is prepared on the
    server too (`preparing_cursor`), unless `plan_each_time`. `binary`: its
    rows come back in PostgreSQL's binary format, which psycopg reads
    faster than text (a list's 470 ids and timestamps: 3.0 against 2.3 ms);
    only for columns whose binary values load as the text ones do (numbers,
    dates and times in the connection's UTC, text; not JSON, which Django
    reads as text)."""

    def __init__(self, model, build: Callable, *, suffix: str = "", plan_each_time: bool | None = None,
                 binary: bool = False):
        self.model = model
        self.build = build
        self.names = list(inspect.signature(build).parameters)
        # Planned on every run, not prepared on the server, when the best
        # plan depends on the values: PostgreSQL settles on one generic plan
        # after five runs, and for `id IN (list)` that plan read a city's
        # 12 000 relays by municipality (6.5 ms) instead of 25 by primary
        # key (0.2 ms). By default a statement with a list parameter is
        # planned each time; one whose rows a single id picks (a pk, a
        # relay) says plan_each_time=False.
        self.plan_each_time = plan_each_time
        self.binary = binary
        self.suffix = suffix
        self._compiled: dict = {}
        self._lock = threading.Lock()

    # --- compiling -------------------------------------------------------------

    def _stand_ins(self, shape) -> dict:
        values, n = {}, 0
        for name, kind in zip(self.names, shape, strict=True):
            if kind == "str":
                values[name] = f"~prepared{n}~"
                n += 1
            elif kind == "date":
                values[name] = dt.date(1111, 1, 1) + dt.timedelta(days=n)
                n += 1
            elif isinstance(kind, int) and not isinstance(kind, bool):  # a list of that length
                values[name] = [_INT_BASE + 1 + n + i for i in range(kind)]
                n += kind
            else:
                values[name] = _INT_BASE + 1 + n
                n += 1
        return values

    def _compile(self, alias: str, shape) -> _Compiled:
        stand_ins = self._stand_ins(shape)
        municipality = _INT_BASE  # below every stand-in of a parameter
        with scope(municipality=municipality):
            queryset = self.build(**stand_ins).using(alias)
        connection = connections[alias]
        compiler = queryset.query.get_compiler(using=alias)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            if not any(v == [] for v in stand_ins.values()):
                raise ImproperlyConfigured("Prepared query: a stand-in made it match nothing") from None
            return None  # every branch filters on an empty list: no rows, whatever the values
        wanted: dict = {municipality: ("municipality", None)}
        for name, value in stand_ins.items():
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dt.date):
                    wanted[item] = (name, None)
                    wanted[connection.ops.adapt_datefield_value(item)] = (name, connection.ops.adapt_datefield_value)
                else:
                    wanted[item] = (name, None)
        slots, found = [], set()
        for index, param in enumerate(params):
            try:
                hit = wanted.get(param)
            except TypeError:  # an unhashable parameter is a constant of the query
                hit = None
            if hit is None:
                continue
            name, adapt = hit
            found.add(name)
            if isinstance(stand_ins.get(name), list):
                # Which element of the list: by its stand-in's place.
                adapt = (stand_ins[name].index(param), adapt)
            slots.append(_Slot(name, index, adapt))
        missing = {n for n in self.names if n not in found and stand_ins[n] != []}
        numbers = [municipality] + [i for v in stand_ins.values() for i in (v if isinstance(v, list) else [v])
                                    if isinstance(i, int)]
        if missing or "1111-" in sql or "~prepared" in sql or any(re.search(rf"\b{i}\b", sql) for i in numbers):
            raise ImproperlyConfigured(f"Prepared query: {sorted(missing) or 'a value'} not passed as a parameter")
        compiled = _Compiled()
        compiled.sql, compiled.params, compiled.slots = sql + self.suffix, list(params), slots
        fields = [s[0] for s in compiler.select[0:compiler.col_count]]
        compiled.converters = list(compiler.get_converters(fields).items())
        return compiled

    # --- running ---------------------------------------------------------------

    def rows(self, *, suffix_params: Sequence = (), **values) -> list[tuple]:
        run = self._run(values, suffix_params)
        if not isinstance(run, _Run):
            return run  # the rows already: run the ORM's way, or none whatever the values
        with run.cursor() as cursor:
            cursor.execute(run.sql, run.params)
            return run.converted(cursor.fetchall())

    def call(self, *, suffix_params: Sequence = (), **values) -> tuple:
        """`rows(...)` with these values, to be run by `together`."""
        return self, values, suffix_params

    def _run(self, values: dict, suffix_params: Sequence):
        """The statement to run and with what, or (when it is not run here)
        its rows."""
        current = get_scope()
        municipality = current.get("municipality")
        if (not current.get("_enabled", False) or municipality is None
                or isinstance(municipality, (list, tuple)) or not all(map(_fits, values.values()))):
            # An id beyond 64 bits (a hostile address) is the ORM's to answer:
            # it compiles it into "matches nothing"; a cursor would overflow.
            return self._unprepared(values, suffix_params)
        shape = tuple(len(values[n]) if isinstance(values[n], (list, tuple, set, frozenset))
                      else "date" if isinstance(values[n], dt.date)
                      else "str" if isinstance(values[n], str) else "id" for n in self.names)
        alias = router.db_for_read(self.model)
        key = (alias, shape)
        try:
            compiled = self._compiled[key]
        except KeyError:
            with self._lock:
                compiled = self._compiled[key] = self._compile(alias, shape)
        if compiled is None:
            return []
        params = list(compiled.params)
        ordered = {n: sorted(v) if isinstance(v, (set, frozenset)) else v for n, v in values.items()}
        municipality_id = getattr(municipality, "pk", municipality)
        for slot in compiled.slots:
            if slot.name == "municipality":
                value = municipality_id
            elif isinstance(slot.adapt, tuple):
                position, adapt = slot.adapt
                value = ordered[slot.name][position]
                value = adapt(value) if adapt else value
            else:
                value = ordered[slot.name]
                value = slot.adapt(value) if slot.adapt else value
            params[slot.index] = value
        plan_each_time = self.plan_each_time
        if plan_each_time is None:
            plan_each_time = any(isinstance(kind, int) and not isinstance(kind, bool) for kind in shape)
        return _Run(connections[alias], compiled, params + list(suffix_params), plan_each_time,
                    self.binary)

    def _unprepared(self, values, suffix_params) -> list[tuple]:
        queryset = self.build(**{n: list(v) if isinstance(v, (set, frozenset)) else v
                                 for n, v in values.items()})
        if self.suffix:
            # Only a page's LIMIT (and OFFSET) is ever appended.
            limit, offset = (*suffix_params, 0)[:2]
            queryset = queryset[offset:offset + limit]
        return [tuple(row) for row in queryset]


class _Run:
    """One statement of a Prepared with a call's values, on its connection."""

    __slots__ = ("connection", "compiled", "sql", "params", "plan_each_time", "binary")

    def __init__(self, connection, compiled: _Compiled, params: list, plan_each_time: bool,
                 binary: bool = False):
        self.connection, self.compiled, self.params = connection, compiled, params
        self.sql, self.plan_each_time, self.binary = compiled.sql, plan_each_time, binary

    def cursor(self):
        if self.plan_each_time:
            return self.connection.cursor()
        return preparing_cursor(self.connection, binary=self.binary)

    def converted(self, rows) -> list[tuple]:
        if not self.compiled.converters:
            return [tuple(row) for row in rows]
        # Django's converters (SQLite's dates, JSON, booleans), called as
        # SQLCompiler.apply_converters calls them, on this thread's connection.
        connection, converters = self.connection, self.compiled.converters
        converted = []
        for row in rows:
            row = list(row)
            for position, (functions, expression) in converters:
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
            converted.append(tuple(row))
        return converted


def together(*calls: tuple) -> list[list[tuple]]:
    """The rows of each `Prepared.call(...)`, in order, for statements that
    do not depend on each other. On PostgreSQL the prepared ones go to the
    server in one pipeline: one round trip, the server working through them
    back to back, instead of a round trip each with the server idle while
    Python makes the last one's objects (the relay overview's ten reads:
    6.0 ms one after another, 3.9 ms together, in one process; less under
    gunicorn on loopback, docs/performance-notes.md). Elsewhere, and for a
    statement planned on every run or on another connection, each runs as
    `rows()` runs it. What each statement means and returns is the same."""
    runs = [prepared._run(values, suffix_params) for prepared, values, suffix_params in calls]
    results: list = [None if isinstance(run, _Run) else run for run in runs]
    piped = [i for i, run in enumerate(runs) if isinstance(run, _Run) and not run.plan_each_time]
    connection = runs[piped[0]].connection if piped else None
    if (len(piped) < 2 or connection.vendor != "postgresql" or not settings.STAFETT_PREPARE_STATEMENTS
            or any(runs[i].connection is not connection for i in piped)
            or not psycopg.Pipeline.is_supported()):
        piped = []
    if piped:
        cursors = [runs[i].cursor() for i in piped]
        # Django's wrappers stay around each statement (logging, execute
        # wrappers, error translation); the pipeline sends them at its end.
        with connection.wrap_database_errors, connection.connection.pipeline():
            for i, cursor in zip(piped, cursors, strict=True):
                cursor.execute(runs[i].sql, runs[i].params)
        for i, cursor in zip(piped, cursors, strict=True):
            with cursor:
                results[i] = runs[i].converted(cursor.fetchall())
    for i, run in enumerate(runs):
        if results[i] is None:
            with run.cursor() as cursor:
                cursor.execute(run.sql, run.params)
                results[i] = run.converted(cursor.fetchall())
    return results


def loaded(model, db: str | None, attnames, values):
    """`model.from_db(db, attnames, values)`: the instance a query reading
    only these fields (attnames, in any order) makes, the others deferred.
    Made without Model.__init__, which costs five times as much (5 µs an
    instance; a relay's page makes 120): the values go straight into the
    instance's __dict__, as __init__'s setattr puts them there for a new
    instance (its fields' descriptors only store the value, or have no
    __set__). A model with pre_init or post_init receivers, whose signals
    __init__ sends, is made by from_db."""
    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return model.from_db(db, list(attnames), list(values))
    instance = model.__new__(model)
    state = instance._state = ModelState()
    state.adding, state.db = False, db
    instance.__dict__.update(zip(attnames, values, strict=True))
    return instance


def made(model, **values):
    """`loaded(model, None, ...)` of field values by attname (`id=…, name=…`),
    for an object shown from the columns of another's row."""
    return loaded(model, None, values, values.values())


class Columns:
    """The columns of `model` and of the related objects `related` (as
    select_related names them, "a" or "a__b" through an earlier "a"), for a
    prepared `values_list`, and the instances made from one of its rows: the
    objects `select_related(*related)` gives, or with `only` ({None: the
    model's fields, name: a related object's fields}) those `.only()` gives,
    whose other fields would be read on first access (as Model.from_db
    makes them: `loaded`)."""

    def __init__(self, model, related: Sequence[str] = (), *, only: dict | None = None):
        only = only or {}

        def attnames(model, key):
            wanted = only.get(key)
            return [f.attname for f in model._meta.concrete_fields
                    if wanted is None or f.primary_key or f.attname in wanted or f.name in wanted]

        self.parts = [(None, model, attnames(model, None))]
        models = {None: model}
        for name in related:
            parent, _, last = name.rpartition("__")
            if (parent or None) not in models:
                raise ImproperlyConfigured(f"Columns: {name} comes before {parent}")
            other = models[parent or None]._meta.get_field(last).related_model
            models[name] = other
            self.parts.append((name, other, attnames(other, name)))
        self.names = [f"{name}__{attname}" if name else attname
                      for name, _model, names in self.parts for attname in names]
        # Where each object's primary key is in its columns: null for a null
        # foreign key.
        self.keys = [names.index(model._meta.pk.attname) for _name, model, names in self.parts]

    def instances(self, rows, db: str | None = None) -> list:
        """The instances of `rows` (one read), rows naming the same related
        object sharing it."""
        db = db or router.db_for_read(self.parts[0][1])
        shared: dict = {}
        return [self.instance(row, db, shared) for row in rows]

    def instance(self, row, db: str = "default", shared: dict | None = None):
        """The instance of `row`. With `shared` (a dict kept over the rows
        of one read), rows naming the same related object share it, as
        prefetch_related shares them, instead of each making its own."""
        start, made = 0, {}
        for (name, model, attnames), key in zip(self.parts, self.keys, strict=True):
            values = row[start:start + len(attnames)]
            start += len(attnames)
            if name is None:
                made[None] = loaded(model, db, attnames, values)
                continue
            parent, _, last = name.rpartition("__")
            owner = made[parent or None]
            pk = values[key]
            if pk is None:
                related = None
            elif shared is None:
                related = loaded(model, db, attnames, values)
            else:
                related = shared.get((name, pk))
                if related is None:
                    related = shared[(name, pk)] = loaded(model, db, attnames, values)
            made[name] = related
            if owner is not None:
                owner._state.fields_cache[last] = related
        return made[None]
