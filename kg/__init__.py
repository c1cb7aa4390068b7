"""The core both sides share: the store, the errors, fiscal years and the result formats.

``loader`` (writes the store) and ``server`` (reads it) depend on this package and never on each
other; the ``cli`` package sits above all three. Nothing here imports Flask, rdflib or pySHACL, so
a query process or a ``smartcity-kg`` command pays only for what it runs.
"""
