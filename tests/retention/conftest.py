import pytest

from tests.relay.conftest import world  # noqa: F401  (the world with the health nurse)


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    """Each test's scanned forms in a folder of its own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
