from django.urls import reverse

from tests.concerns.helpers import make_concern


def test_list_pages_link_to_the_next_page_keeping_the_filter(world):
    for i in range(26):
        make_concern(world, name=f"Barn {i}", serial=i)
    html = world.client_for(world.teacher).get(reverse("concerns:mine")).content.decode()
    assert 'href="?status=open&amp;side=2"' in html
