"""The benchmark's settings: the project's own, plus a trivial endpoint (bench/urls.py).

Production URLs stay as they are; only the benchmark serves ``/bench/...``.
"""

from consensus.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
