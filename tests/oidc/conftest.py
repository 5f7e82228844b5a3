from tests.citizen.conftest import family  # noqa: F401  (Frida, Geir, Unni, Ylva…)
from tests.relay.conftest import world  # noqa: F401
