"""Role lines: "Référent CA : A et B (scope). Autres contributeurs : C, D ; E (scope)." → one role per agent."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.extract.lines import ROLE_LABEL_RE
from kg.source import join_lines


@dataclass
class Role:
    role: str  # referent-ca | referent-equipe | contributeur
    name: str | None  # the agent as printed; None for "?"
    text: str
    lines: tuple[int, int]
    scope: str | None = None
    note: str | None = None  # a remark on the role itself ("passation à prévoir"), not what the agent does


# A parenthesis about the role's own future (a handover, a seat to confirm) is a note, not a scope.
ROLE_NOTE = re.compile(r"\b(passation|à prévoir|à confirmer|à définir|intérim|sortant|remplacement)\b", re.I)


def _code(match: re.Match) -> str:
    which = (match.group("which") or "").lower()
    return "referent-ca" if which == "ca" else "referent-equipe" if which else "contributeur"


def _split_outside_parens(text: str, separators: re.Pattern) -> list[str]:
    parts, depth, start = [], 0, 0
    for m in re.finditer(r"[()]|" + separators.pattern, text):
        tok = m.group()
        if tok == "(":
            depth += 1
        elif tok == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            parts.append(text[start:m.start()])
            start = m.end()
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


_GROUP_SEP = re.compile(r"\s*[;,]\s*")
_AND_SEP = re.compile(r"\s+et\s+")
_PAREN = re.compile(r"^(?P<name>[^()]*?)\s*\((?P<inner>[^()]*)\)\s*$")


def _agents(body: str) -> list[tuple[str | None, str | None]]:
    """(name, scope) pairs of one role's body: "A et B (scope)", "A (scope) et B", "A (et B sur X)"."""
    body = body.strip().rstrip(".").strip()
    if body in ("?", ""):
        return [(None, None)]
    out: list[tuple[str | None, str | None]] = []
    for group in _split_outside_parens(body, _GROUP_SEP):
        members = _split_outside_parens(group, _AND_SEP)
        parsed = []
        for member in members:
            m = _PAREN.match(member)
            if m:
                parsed.append([m.group("name").strip(), m.group("inner").strip(), True])
            else:
                parsed.append([member.strip(), None, False])
        extra = []
        for p in parsed:
            if p[1] and p[1].startswith("et "):  # "(et Antoine Dubois sur MLC)": one more agent, with a scope
                inner = p[1][3:]
                m = re.match(r"^((?:[A-ZÉÈÀ][\w’'-]*\s*){1,4}?)\s+(\w.*)$", inner)
                name, scope = (m.group(1).strip(), m.group(2).strip()) if m else (inner.strip(), None)
                extra.append([name, scope, True])
                p[1] = None
        if parsed and parsed[-1][1]:  # a scope closing the group covers the members without their own
            for p in parsed[:-1]:
                if not p[2]:
                    p[1] = parsed[-1][1]
        out.extend((p[0], p[1]) for p in parsed + extra if p[0])
    return out


def parse_roles(lines: list[str], first: int, last: int) -> tuple[list[Role], list[str]]:
    """The roles printed on lines ``first..last`` (1-based), and the agents' names as printed."""
    # the block's text with the line each character comes from
    text, origin = "", []
    for number in range(first, last + 1):
        piece = re.sub(r"\s+", " ", lines[number - 1].strip())
        if not piece:
            continue
        sep = "" if (not text or (text.endswith("-") and not text.endswith(" -"))) else " "
        text += sep + piece
        origin.extend([number] * (len(sep) + len(piece)))
    labels = list(ROLE_LABEL_RE.finditer(text))
    roles: list[Role] = []
    for i, m in enumerate(labels):
        end = labels[i + 1].start() if i + 1 < len(labels) else len(text)
        segment = text[m.start():end].strip()
        seg_first, seg_last = origin[m.start()], origin[m.start() + len(segment) - 1]
        assert segment in join_lines(lines, seg_first, seg_last)
        qualifier = m.group("qualifier").strip() or None
        body = text[m.end():end]
        for name, scope in _agents(body):
            scope = scope or qualifier
            note = scope if scope and ROLE_NOTE.search(scope) else None
            roles.append(Role(_code(m), name, segment, (seg_first, seg_last), None if note else scope, note))
    return roles, [r.name for r in roles if r.name]
