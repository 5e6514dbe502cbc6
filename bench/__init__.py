"""midback's benchmarks: measured claims, each beside a baseline measured in the same run.

``uv run python -m bench [--quick] [--only NAME] [--output FILE]`` runs them; a full-size run
rewrites ``BENCHMARKS.md`` (or ``--output FILE``). Each benchmark is one module with
``run(quick: bool) -> Result`` (registered in ``bench.__main__.BENCHMARKS``); ``--quick`` shrinks
every size and duration so CI can check that they still run, and writes no Markdown unless
given ``--output``. Benchmarks are not tests: their timings are never asserted anywhere.
"""
