from tests.relay.conftest import world  # noqa: F401  (the world with Helga, the nurse)
