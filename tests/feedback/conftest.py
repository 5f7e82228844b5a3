from tests.citizen.conftest import family  # noqa: F401  (the families)
from tests.relay.conftest import world  # noqa: F401  (the world with Helga, whom the families need)
