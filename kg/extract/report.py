"""The review report: what to confirm, what is unsure, what no element accounts for (Markdown)."""

from __future__ import annotations

from pathlib import Path

from kg.extract.draft import Draft

KIND_FR = {"person": "personne", "organisation": "organisation", "law": "loi"}
PROPOSED = 0.5  # below: listed for a look, not proposed (as compare counts them)


def counts(draft: Draft) -> list[dict]:
    """Each fiche's counts side by side."""
    rows = []
    for f in draft.fiches:
        items = [i for s in f["sections"] for i in s["items"]]
        rows.append({"fiche": f["number"], "titre": f["title"]["text"] if f["title"] else "(sans titre)",
                     "rôles": len(f["roles"]), "sections": len(f["sections"]), "items": len(items),
                     "événements": sum(len(i.get("events") or []) for i in items),
                     "mentions": sum(1 for m in draft.mentions if m["fiche"] == f["number"])})
    return rows


def review_data(draft: Draft, source: str) -> dict:
    """The same review as plain data (relecture.json), for the page /relecture/<id>."""
    return {"source": Path(source).name, "axes": len(draft.axes), "fiches": counts(draft),
            "candidates": [{"kind": c.kind, "id": c.id, "label": c.label, "quote": c.quote, "lines": list(c.lines),
                            "confidence": c.confidence, "note": c.note, "merge": c.merge_label} for c in draft.candidates],
            "dates": [{**d, "lines": list(d["lines"])} for d in draft.uncertain_dates],
            "apart": draft.interleaved, "unused": [list(u) for u in draft.unused]}


def markdown(draft: Draft, source: str) -> str:
    """relecture.md: the review list, in French, next to the draft."""
    p = draft.programme
    out = [f"# Relecture du brouillon « {p['id']} »", "",
           f"Source : `{Path(source).name}` — {len(draft.fiches)} fiches, {len(draft.axes)} axes. "
           "Chaque élément porte sa citation et ses lignes ; rien n'est ajouté que le texte n'imprime.", "",
           f"Intitulé du programme : « {p['label']} » est un intitulé de travail (le texte n'en imprime pas) : "
           "à remplacer par le titre imprimé sur la couverture. Les libellés d'événements reprennent le début "
           "de leur item.", "",
           "## Fiches", "", "| Fiche | Titre | Rôles | Sections | Items | Événements | Mentions |",
           "|---|---|---|---|---|---|---|"]
    rows = counts(draft)
    for r in rows:
        out.append(f"| {r['fiche']} | {r['titre']} | {r['rôles']} | {r['sections']} | {r['items']} | "
                   f"{r['événements']} | {r['mentions']} |")
    total = {k: sum(r[k] for r in rows) for k in ("rôles", "sections", "items", "événements", "mentions")}
    out.append(f"| **Total** | {len(rows)} fiches | {total['rôles']} | {total['sections']} | {total['items']} | "
               f"{total['événements']} | {total['mentions']} |")
    proposed = [c for c in draft.candidates if c.confidence >= PROPOSED]
    weak = [c for c in draft.candidates if c.confidence < PROPOSED]
    out += ["", f"## Nouvelles entités à confirmer ({len(proposed)})", "",
            "Écrites dans `candidats.yaml` (statut « a-relire ») ; à ajouter aux fichiers d'entités partagés une fois relues.", ""]
    out += [_candidate(c) for c in proposed]
    out += ["", f"## Sigles et noms à regarder, confiance faible ({len(weak)})", "",
            "Aussi dans `candidats.yaml` : souvent un sigle jamais défini ou un mot courant ; à écarter ou à confirmer.", ""]
    out += [_candidate(c) for c in weak]
    out += ["", f"## Dates incertaines ou à l'année déduite ({len(draft.uncertain_dates)})", ""]
    for d in draft.uncertain_dates:
        why = ", ".join(w for w, on in (("année déduite de la section", d["inferred"]), ("date incertaine", d["uncertain"])) if on)
        out.append(f"- fiche {d['fiche']}, lignes {d['lines'][0]}–{d['lines'][1]} : « {d['date_text']} » → {d['date']} ({why})")
    out += ["", f"## Lignes datées imprimées à part ({len(draft.interleaved)})", "",
            "Un encadré daté au milieu d'une section : colonnes peut-être entremêlées, à vérifier.", ""]
    for d in draft.interleaved:
        inside = f" — au milieu de la section « {d['heading'].rstrip(' :')} »" if d.get("heading") else ""
        out.append(f"- fiche {d['fiche']}, lignes {d['lines'][0]}–{d['lines'][1]} : « {d['text']} »{inside}")
    out += ["", f"## Lignes qu'aucun élément n'utilise ({len(draft.unused)})", ""]
    for line, why in draft.unused:
        out.append(f"- ligne {line} : {why}")
    return "\n".join(out) + "\n"


def _candidate(c) -> str:
    """One new entity: label, kind in French, id, confidence, quote at its lines, why, and a possible merge."""
    return (f"- **{c.label}** ({KIND_FR.get(c.kind, c.kind)}, `{c.id}`, confiance {c.confidence:.1f}) — "
            f"lignes {c.lines[0]}–{c.lines[1]} : « {c.quote} » — {c.note}"
            + (f" — fusion possible avec « {c.merge_label} » (`{c.merge}`)" if c.merge else ""))
