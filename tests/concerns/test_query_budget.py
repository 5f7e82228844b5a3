"""Pages make the same number of queries with 5 worries as with 500."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .helpers import make_concern


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _fill(world, n, start=0):
    return [make_concern(world, shared=True, name=f"Barn {i}", serial=i) for i in range(start, start + n)]


def test_worry_list_and_inbox_and_page_are_bounded(world):
    teacher, leader = world.client_for(world.teacher), world.client_for(world.leader)
    concerns = _fill(world, 5)
    detail = reverse("concerns:detail", args=[concerns[0].pk])
    small = [_count(teacher, reverse("concerns:mine")), _count(leader, reverse("concerns:inbox")),
             _count(teacher, detail)]
    _fill(world, 495, start=5)
    # Filling can take over a minute on a busy machine; the idle timeout then
    # saves each session once, on its next request: not the pages' queries.
    teacher.get(reverse("concerns:mine"))
    leader.get(reverse("concerns:inbox"))
    large = [_count(teacher, reverse("concerns:mine")), _count(leader, reverse("concerns:inbox")),
             _count(teacher, detail)]
    assert small == large
    # No query for the child's row or the steps' tools (docs/performance-notes.md).
    assert small == [11, 11, 17]
