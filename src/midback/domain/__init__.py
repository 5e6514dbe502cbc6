"""Pure domain logic: catalogue models, safety screen, planner, timeline, progression.

Nothing here imports the edges (storage, CLI, web); a test keeps that true.
"""
