"""Exercise figures: pose files read and checked, drawn as SVG, and animated in the player.

``library`` reads ``catalogue/figures/ID.yaml``; ``drawing`` turns placed poses into picture
items; ``svg`` writes them as an SVG image; ``motion`` gives the player its keyframes.
The geometry (skeleton, props, checks, projection) is ``midback.domain.figures``.
"""
