"""Every page links only to pages that exist: a crawler follows every same-site link from ``/``."""

from __future__ import annotations

import html
import re
from collections import deque
from urllib.parse import parse_qs, urljoin, urlsplit, urlunsplit

#: Pages of a paginated list or answer visited beyond the first (page 2 shows the pager works; more adds nothing).
MAX_PAGE = 2
#: Every page's Turtle twin is fetched (it fails exactly when the IRI describes nothing); its JSON-LD and
#: N-Triples twins, the same triples in another syntax, for this many pages of each kind (the serialisers are slow).
SAME_TRIPLES_PER_KIND = 5


_LINK = re.compile(r'<(?:a|link)\b[^>]*?\shref="([^"]*)"|<(?:img|script)\b[^>]*?\ssrc="([^"]*)"')
_ID = re.compile(r'\sid="([^"]*)"')


def _links(page: str) -> tuple[list[str], set[str]]:
    """The href/src targets (entities decoded) and the id anchors of one HTML page."""
    return ([html.unescape(a or b) for a, b in _LINK.findall(page)], {html.unescape(i) for i in _ID.findall(page)})


def _same_site(base: str, link: str) -> str | None:
    """The path?query of a link to this site (fragment kept), or None for another site or scheme."""
    url = urlsplit(urljoin(base, link))
    if url.scheme not in ("http", "") or url.netloc not in ("localhost", ""):
        return None
    return urlunsplit(("", "", url.path, url.query, url.fragment))


class Crawler:
    """Visits every same-site link once, from a start page, through Flask's test client."""

    def __init__(self, client) -> None:
        self.client = client
        self.status: dict[str, int] = {}          # URL -> HTTP status
        self.referrers: dict[str, list[str]] = {}  # URL -> pages linking to it
        self.ids: dict[str, set[str]] = {}         # page -> its id anchors
        self.fragments: list[tuple[str, str, str]] = []  # (from, page, anchor)
        self.per_kind: dict[str, int] = {}
        self.todo: deque[str] = deque()

    def run(self, start: str = "/") -> Crawler:
        self.referrers[start] = ["(départ)"]
        self.todo.append(start)
        while self.todo:
            self.visit(self.todo.popleft())
        return self

    def visit(self, url: str) -> None:
        response = self.client.get(url, headers={"Accept": "text/html"})
        with response:  # a file sent from disk is closed here
            self.status[url] = response.status_code
            if 300 <= response.status_code < 400:
                self.follow(url, response.headers["Location"])
            elif response.status_code < 300 and response.mimetype == "text/html":
                links, self.ids[url] = _links(response.get_data(as_text=True))
                for link in links:
                    self.follow(url, link)

    def follow(self, origin: str, link: str) -> None:
        target = _same_site("http://localhost" + origin, link)
        if target is None:
            return
        page, _, fragment = target.partition("#")
        page = page or origin
        if fragment:
            self.fragments.append((origin, page, fragment))
        if page in self.referrers:
            self.referrers[page].append(origin)
        else:
            self.referrers[page] = [origin]
            if self.worth_visiting(page):
                self.todo.append(page)

    def worth_visiting(self, target: str) -> bool:
        url = urlsplit(target)
        page = parse_qs(url.query).get("page", ["1"])[0]
        if page.isdigit() and int(page) > MAX_PAGE:
            return False
        if url.path.endswith((".jsonld", ".nt")) and not url.path.startswith("/telecharger/"):
            kind = url.path.split("/")[1] + url.path.rsplit(".", 1)[1]
            self.per_kind[kind] = self.per_kind.get(kind, 0) + 1
            return self.per_kind[kind] <= SAME_TRIPLES_PER_KIND
        return True

    def broken(self) -> dict[str, tuple[int, list[str]]]:
        return {url: (code, self.referrers[url][:3]) for url, code in self.status.items() if code >= 400}

    def missing_anchors(self) -> list[tuple[str, str]]:
        return [(origin, f"{page}#{fragment}") for origin, page, fragment in self.fragments
                if page in self.ids and fragment not in self.ids[page]]


def test_every_same_site_link_answers(client):
    crawler = Crawler(client).run("/")
    assert crawler.broken() == {}
    assert crawler.missing_anchors() == []
    status = crawler.status
    # every page kind was reached, with its machine twins
    for expected in ("/programme/rtes-2024/fiche/7", "/programme/rtes-2024/axe/axe-1", "/programme/rtes-2024",
                     "/organisation/anct", "/personne/stephane-pfeiffer", "/loi/loi-ess-2014", "/concept/scic",
                     "/territoire/ile-de-france", "/publication/repress", "/evenement/forum-ess-niort-2024",
                     "/organisation/anct.ttl", "/organisation/anct.json", "/source/rtes-programme-actions-2024",
                     "/concept/", "/programme/rtes-2024/fiche/7.ttl", "/liste/organisations",
                     "/questions", "/frise", "/partenaires", "/reseau", "/matrice", "/ontologie", "/telecharger"):
        assert expected in status, f"{expected} jamais atteint par le robot"
    assert len([u for u in status if u.startswith("/queries/")]) > 10, "questions toutes prêtes non visitées"
    assert any("favicon" in u for u in status), "pas d'icône liée"
    for suffix in (".jsonld", ".nt"):
        assert len([u for u in status if u.endswith(suffix)]) > 20, suffix
    assert any(anchor.startswith("item-") for _, _, anchor in crawler.fragments), "aucun lien vers un élément de fiche"
