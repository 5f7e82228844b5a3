# Benchmarks are run by hand (see each file's docstring), never collected by pytest.
collect_ignore_glob = ["bench_*.py"]
