"""Run the development identity provider.

    python -m devidp --port 8001            migrate, register DEVIDP_CLIENTS, serve
    python -m devidp manage <command> …     any management command (e.g. register_client)
    python -m devidp dev-env --port 8001 --app http://127.0.0.1:8000
                                            shell exports for `make run` (app + provider)

It refuses to start when STAFETT_PRODUCTION=1.
"""

import argparse
import os
import sys

from devidp import refuse_in_production
from devidp.dev import dev_env, shell_exports


def main(argv: list[str]) -> None:
    refuse_in_production()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "devidp.settings")
    if argv[:1] == ["manage"]:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["devidp", *argv[1:]])
        return
    if argv[:1] == ["dev-env"]:
        parser = argparse.ArgumentParser(prog="python -m devidp dev-env")
        parser.add_argument("--port", type=int, default=8001)
        parser.add_argument("--app", default="http://127.0.0.1:8000")
        args = parser.parse_args(argv[1:])
        print(shell_exports(dev_env(f"http://127.0.0.1:{args.port}", args.app)))
        return
    parser = argparse.ArgumentParser(prog="python -m devidp", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args(argv)
    if args.host not in {"127.0.0.1", "localhost", "::1"}:
        parser.error("devidp listens on a loopback address only")
    os.environ.setdefault("DEVIDP_ISSUER", f"http://{args.host}:{args.port}")

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("register_client", from_env=True)
    print(f"devidp: OpenID Connect provider for development on {os.environ['DEVIDP_ISSUER']}",
          flush=True)
    call_command("runserver", f"{args.host}:{args.port}", use_reloader=False, skip_checks=True)


if __name__ == "__main__":
    main(sys.argv[1:])
