"""Load our graph into a SPARQL server: Graph Store Protocol (HTTP PUT), or SPARQL Update for servers without it."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

from kg.store import StoreError

# The named graph a shared server keeps our triples in (Virtuoso's default graph holds its own system triples):
# the dataset's IRI. Queries then name it as their default graph (SPARQL Protocol's default-graph-uri).
GRAPH = "https://ess-kg.example/jeu-de-donnees"


def graph_store_of(endpoint: str) -> str:
    """Oxigraph's layout: the query endpoint …/query has its Graph Store Protocol sibling …/store."""
    return endpoint.split("?", 1)[0].rsplit("/", 1)[0] + "/store"


def put_graph(endpoint: str, ntriples: bytes, graph_iri: str | None = None, graph_store: str | None = None,
              user: str | None = None, password: str | None = None, timeout: float = 60.0) -> None:
    """Replace the default graph (or the named graph ``graph_iri``) with ``ntriples`` by an HTTP PUT.

    ``graph_store`` is the server's GSP address (Oxigraph: …/store, Fuseki: …/DATASET/data, Virtuoso:
    …/sparql-graph-crud-auth); by default the endpoint's sibling ``store``. ``user``/``password``: HTTP Digest
    or Basic authentication, whichever the server asks for (Virtuoso: Digest, a user with SPARQL_UPDATE)."""
    base = graph_store or graph_store_of(endpoint)
    target = f"{base}?" + ("default" if graph_iri is None else "graph=" + urllib.parse.quote(graph_iri, safe=""))
    request = urllib.request.Request(target, data=ntriples, method="PUT", headers={"Content-Type": "application/n-triples"})
    _open(request, target, timeout, base, user, password)


def publish_by_update(update_endpoint: str, ntriples: bytes, timeout: float = 60.0, chunk: int = 5000,
                      graph_iri: str | None = None, user: str | None = None, password: str | None = None) -> int:
    """Load N-Triples through SPARQL 1.1 Update (for servers without the Graph Store Protocol): CLEAR the
    default graph (or ``graph_iri``), then INSERT DATA in chunks. Returns the number of triples sent."""
    def post(text: str) -> None:
        request = urllib.request.Request(update_endpoint, data=text.encode("utf-8"), method="POST",
                                         headers={"Content-Type": "application/sparql-update"})
        _open(request, update_endpoint, timeout, update_endpoint, user, password)

    target = "DEFAULT" if graph_iri is None else f"GRAPH <{graph_iri}>"
    lines = [line for line in ntriples.decode("utf-8").splitlines() if line.strip()]
    post(f"CLEAR SILENT {target}")
    for start in range(0, len(lines), chunk):
        block = "\n".join(lines[start:start + chunk])
        post("INSERT DATA {\n" + (block if graph_iri is None else f"GRAPH <{graph_iri}> {{\n{block}\n}}") + "\n}")
    return len(lines)


def _open(request: urllib.request.Request, target: str, timeout: float, realm_uri: str,
          user: str | None, password: str | None) -> None:
    if user:
        authorization = _authorization(request, user, password or "", timeout)
        if authorization:
            request.add_header("Authorization", authorization)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        exc.close()
        hint = " (identifiants absents ou refusés : --user et KG_PUBLISH_PASSWORD)" if exc.code in (401, 403) else ""
        raise StoreError(f"publication refusée par {target} : HTTP {exc.code}{hint}") from None
    except (urllib.error.URLError, OSError) as exc:
        if isinstance(getattr(exc, "reason", exc), (BrokenPipeError, ConnectionResetError)):
            # a server that wants credentials answers 401 before reading the body, and closes the connection
            raise StoreError(f"le serveur {target} a coupé la connexion pendant l'envoi : demande-t-il "
                             "une authentification (--user et KG_PUBLISH_PASSWORD) ?") from None
        raise StoreError(f"le serveur {target} ne répond pas : {getattr(exc, 'reason', exc)}") from None


def _authorization(request: urllib.request.Request, user: str, password: str, timeout: float) -> str | None:
    """The Authorization header for ``request``, from the challenge a body-less HEAD gets: sending megabytes
    first only to be refused (and cut off) is what urllib's own auth handlers would do."""
    import base64

    probe = urllib.request.Request(request.full_url, method="HEAD")
    try:
        with urllib.request.urlopen(probe, timeout=timeout):
            return None  # no credentials asked for
    except urllib.error.HTTPError as exc:
        exc.close()
        challenge = exc.headers.get("WWW-Authenticate", "") if exc.code == 401 else ""
    except (urllib.error.URLError, OSError):
        return None  # the PUT itself will report it
    scheme, _, params = challenge.partition(" ")
    if scheme.lower() == "digest":
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, request.full_url, user, password)
        chal = urllib.request.parse_keqv_list(urllib.request.parse_http_list(params))
        answer = urllib.request.HTTPDigestAuthHandler(passwords).get_authorization(request, chal)
        return f"Digest {answer}" if answer else None
    return "Basic " + base64.b64encode(f"{user}:{password}".encode("utf-8")).decode("ascii")
