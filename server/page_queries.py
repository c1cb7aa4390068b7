"""The SPARQL of the resource and class pages (not canned API queries: those live in queries/).

Each query binds the resource with ``substitutions`` (``?s`` or ``?c``, projected as pyoxigraph
requires) and reads every graph with ``GRAPH ?g``, so a page needs one or two queries, not one
per value.
"""

PREFIXES = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX void: <http://rdfs.org/ns/void#>
PREFIX sckg: <https://w3id.org/smartcity-kg/ontology#>
"""

#: Every statement about ``?s`` and every statement pointing at it, with the graph that holds it,
#: the labels of property and value, and a source's web page.
STATEMENTS = PREFIXES + """
SELECT ?s ?dir ?p ?v ?g ?vl ?pl ?page WHERE {
  { GRAPH ?g { ?s ?p ?v } BIND("out" AS ?dir) }
  UNION
  { GRAPH ?g { ?v ?p ?s } BIND("in" AS ?dir) }
  OPTIONAL { ?v rdfs:label ?vl }
  OPTIONAL { ?p rdfs:label ?pl }
  OPTIONAL { FILTER(?p = dcterms:source) ?v foaf:page ?page }
}"""

#: What a local government's page shows beyond its own statements: the projects in its region,
#: the City OS it owns or uses, its introductions and the sharings of or by it, each with every
#: property (graph and value labels).
LOCAL_GOVERNMENT = PREFIXES + """
SELECT ?s ?kind ?item ?p ?v ?g ?vl WHERE {
  { ?item sckg:region ?s BIND("project" AS ?kind) }
  UNION { ?item sckg:owner ?s BIND("own-city-os" AS ?kind) }
  UNION { ?item sckg:municipality ?s BIND("introduction" AS ?kind) }
  UNION { ?item sckg:user ?s BIND("sharing" AS ?kind) }
  UNION { ?sharing sckg:user ?s ; sckg:cityOS ?item BIND("used-city-os" AS ?kind) }
  UNION { ?os sckg:owner ?s . ?item sckg:cityOS ?os ; a sckg:CityOSSharing BIND("partner-sharing" AS ?kind) }
  GRAPH ?g { ?item ?p ?v }
  OPTIONAL { ?v rdfs:label ?vl FILTER(isIRI(?v)) }
}"""

#: A concept scheme's concepts, their labels and broader concepts, and how many statements use each.
SCHEME_CONCEPTS = PREFIXES + """
SELECT ?s ?c ?l ?broader (COUNT(DISTINCT ?u) AS ?uses) WHERE {
  ?c skos:inScheme ?s .
  OPTIONAL { ?c rdfs:label ?l }
  OPTIONAL { ?c skos:broader ?broader }
  OPTIONAL {
    ?u ?up ?c .
    FILTER(?up NOT IN (skos:broader, skos:narrower, skos:related, skos:closeMatch, skos:exactMatch,
                       skos:hasTopConcept, skos:inScheme, rdf:subject, rdf:object, owl:sameAs))
  }
} GROUP BY ?s ?c ?l ?broader"""

#: A class of ours: labels, definitions, super- and subclasses with their labels.
CLASS_INFO = PREFIXES + """
SELECT ?c ?p ?v ?vl WHERE {
  ?c a owl:Class .
  { ?c ?p ?v FILTER(?p IN (rdfs:label, skos:definition, rdfs:comment, rdfs:subClassOf)) }
  UNION { ?v rdfs:subClassOf ?c BIND(sckg:subClass AS ?p) }
  OPTIONAL { ?v rdfs:label ?vl FILTER(isIRI(?v)) }
}"""

#: How many instances a class has (its subclasses' included).
CLASS_COUNT = PREFIXES + "SELECT ?c (COUNT(DISTINCT ?m) AS ?n) { ?m a/rdfs:subClassOf* ?c } GROUP BY ?c"

#: One page of a class's instances with their labels; ``{limit}``/``{offset}`` are Python ints.
CLASS_MEMBERS = PREFIXES + """
SELECT ?c ?m ?l WHERE {
  { SELECT DISTINCT ?c ?m { ?m a/rdfs:subClassOf* ?c } ORDER BY ?m LIMIT {limit} OFFSET {offset} }
  OPTIONAL { ?m rdfs:label ?l }
} ORDER BY ?m"""
