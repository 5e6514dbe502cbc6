"""midback's benchmarks: measured claims, each beside a baseline measured in the same run.

``uv run python -m bench [--quick] [--only NAME]`` runs them and rewrites ``BENCHMARKS.md``.
Each benchmark is one module with ``run(quick: bool) -> Result`` (registered in ``registry``);
``--quick`` shrinks every size and duration so CI can check that they still run. Benchmarks are
not tests: their timings are never asserted anywhere.
"""
