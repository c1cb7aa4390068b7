"""The project's SPARQL extension functions, registered with the engine by IRI.

Every query the server evaluates (``/sparql``, the canned queries, the pages) may call them; the
Service Description lists them as ``sd:extensionFunction``. They are pure functions of their
arguments, so a query's answer still depends only on the data.

INTERFACE (issue 11): :data:`FUNCTIONS` is what ``store.query(custom_functions=…)`` receives;
more functions are added here, each with its IRI in :data:`NAMESPACE`.

>>> import pyoxigraph as ox
>>> q = 'PREFIX f: <' + NAMESPACE + '> SELECT (f:normalize("ＡＢＣ") AS ?n) {}'
>>> [row["n"].value for row in ox.Store().query(q, custom_functions=FUNCTIONS)]
['abc']
"""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox

from .normalize import normalize

#: The namespace of the functions (suggested prefix ``sckgfn:``).
NAMESPACE = "https://w3id.org/smartcity-kg/function#"
PREFIX = "sckgfn"


def _string_function(function: Callable[[str], str | None]) -> Callable[..., ox.Literal | None]:
    """A SPARQL function of one string argument: a non-literal argument is an error (unbound)."""
    def call(term=None, *rest) -> ox.Literal | None:
        if rest or not isinstance(term, ox.Literal):
            return None
        value = function(term.value)
        return None if value is None else ox.Literal(value)
    call.__doc__ = function.__doc__
    return call


#: IRI → function, as pyoxigraph's ``custom_functions`` takes them.
FUNCTIONS: dict[ox.NamedNode, Callable] = {
    ox.NamedNode(NAMESPACE + "normalize"): _string_function(normalize),
}
