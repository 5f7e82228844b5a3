"""Verification names the first broken or missing row after tampering,
sealed or not (docs/audit.md)."""

import pytest
from django.core.management import CommandError, call_command
from django_scopes import scopes_disabled

from stafett.audit import sealer
from stafett.audit.log import verify_chain
from stafett.audit.models import AuditChain
from tests.audit.helpers import append, events, tamper


def _broken(capsys):
    with pytest.raises(CommandError):
        call_command("verify_audit")
    return capsys.readouterr().out


def _sealed_trail(world, n=5):
    for i in range(n):
        append(world, child_id=i)
    sealer.seal()
    return events(world.fjordvik)


def test_an_intact_trail_verifies_sealed_and_unsealed(world, capsys):
    _sealed_trail(world)
    append(world, n=3)  # not sealed yet
    call_command("verify_audit")
    out = capsys.readouterr().out
    assert "BROKEN" not in out and "9901 Fjordvik kommune: intact" in out


def test_an_unsealed_row_altered_is_named(world, capsys):
    _sealed_trail(world, 2)
    target = append(world, n=3)[1]
    tamper(f"UPDATE audit_auditevent SET actor_id = NULL WHERE id = {target.pk}")
    out = _broken(capsys)
    assert f"BROKEN at event id {target.pk}, not sealed yet" in out
    assert "9902 Åsheim kommune: intact" in out


def test_an_unsealed_row_rehashed_without_the_key_is_named(world, capsys):
    import hashlib

    target = append(world)[0]
    forged = hashlib.sha256(b"child 99").hexdigest()
    tamper(f"UPDATE audit_auditevent SET child_id = 99, row_hash = '{forged}' WHERE id = {target.pk}")
    assert f"event id {target.pk}, not sealed yet" in _broken(capsys)


def test_a_sealed_row_altered_is_named(world, capsys):
    target = _sealed_trail(world)[2]
    tamper(f"UPDATE audit_auditevent SET action = 'update' WHERE id = {target.pk}")
    out = _broken(capsys)
    assert f"BROKEN at seq 3 (event id {target.pk}): row content does not match its hash" in out


def test_a_sealed_rows_seal_altered_is_named(world, capsys):
    target = _sealed_trail(world)[1]
    tamper(f"UPDATE audit_auditevent SET hash = '{'0' * 64}' WHERE id = {target.pk}")
    assert f"BROKEN at seq 2 (event id {target.pk}): the row's seal" in _broken(capsys)


def test_a_sealed_row_deleted_is_named(world, capsys):
    trail = _sealed_trail(world)
    tamper(f"DELETE FROM audit_auditevent WHERE id = {trail[1].pk}")
    out = _broken(capsys)
    assert f"BROKEN at seq 3 (event id {trail[2].pk}): expected seq 2" in out


def test_a_seq_gap_and_a_repeated_seq_are_named(world):
    trail = _sealed_trail(world)
    tamper(f"UPDATE audit_auditevent SET seq = 9 WHERE id = {trail[3].pk}")
    assert verify_chain(world.fjordvik.pk)[:2] == (trail[4].pk, 5)
    tamper(f"UPDATE audit_auditevent SET seq = 2 WHERE id = {trail[3].pk}")
    event_id, seq, reason = verify_chain(world.fjordvik.pk, batch=2)
    assert seq == 2 and "appears twice" in reason


def test_the_last_sealed_rows_deleted_are_named(world, capsys):
    trail = _sealed_trail(world)
    tamper(f"DELETE FROM audit_auditevent WHERE id IN ({trail[3].pk}, {trail[4].pk})")
    assert "BROKEN at seq 4 (event id None): sealed rows after this one are missing" in _broken(capsys)


def test_rows_chained_before_the_sealer_still_verify(world):
    """Rows written under the old scheme (chained at insert with SHA-256,
    no row hash) verify, and the sealer continues their chain."""
    from stafett.audit.models import AuditEvent

    old = append(world, n=2)
    with scopes_disabled():
        prev = ""
        for seq, event in enumerate(AuditEvent.objects.filter(pk__in=[e.pk for e in old])
                                    .order_by("id"), start=1):
            event.seq, event.prev_hash = seq, prev
            event.hash = prev = event.compute_legacy_hash()
            tamper(f"UPDATE audit_auditevent SET row_hash = NULL, seq = {seq}, "
                   f"prev_hash = '{event.prev_hash}', hash = '{event.hash}' WHERE id = {event.pk}")
        AuditChain.objects.create(municipality=world.fjordvik, last_seq=2, last_hash=prev)
    append(world)
    assert sealer.seal() == 1
    assert verify_chain(world.fjordvik.pk) is None
    assert [e.seq for e in events(world.fjordvik)] == [1, 2, 3]
