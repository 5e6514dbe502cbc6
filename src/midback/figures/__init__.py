"""Exercise figures: pose files read and checked, drawn as SVG, and animated in the player.

The geometry, pure like the domain (which imports nothing from here): ``model`` (what a figure
file says: key poses, props, view, cues), ``vectors``, ``skeleton`` (segment lengths and the
points of a pose), ``poses`` (angles, mirror image, blend), ``props`` (shapes and surfaces),
``placing`` (a pose on its support), ``checks`` (the pose checks) and ``camera`` (views and
projection).

Pictures: ``library`` reads ``catalogue/figures/ID.yaml`` (a ``FigureLibrary`` the app builds
once keeps them); ``framing`` sizes the canvas and scale, ``outlines`` gives the props'
outline points, ``drawing`` turns placed poses into picture items, ``arrows`` adds the
movement, ``render`` makes an exercise's still picture, ``svg`` writes it; ``motion`` gives
the player its keyframes; ``sheet`` lays every figure out for review.
"""
