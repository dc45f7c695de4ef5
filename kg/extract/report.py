"""The review report: what to confirm, what is unsure, what no element accounts for (Markdown)."""

from __future__ import annotations

from pathlib import Path

from kg.extract.draft import Draft


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
    for r in counts(draft):
        out.append(f"| {r['fiche']} | {r['titre']} | {r['rôles']} | {r['sections']} | {r['items']} | "
                   f"{r['événements']} | {r['mentions']} |")
    out += ["", f"## Nouvelles entités à confirmer ({len(draft.candidates)})", "",
            "Écrites dans `candidats.yaml` (statut « a-relire ») ; à ajouter aux fichiers d'entités partagés une fois relues.", ""]
    for c in draft.candidates:
        out.append(f"- **{c.label}** ({c.kind}, `{c.id}`, confiance {c.confidence:.1f}) — lignes {c.lines[0]}–{c.lines[1]} : "
                   f"« {c.quote} » — {c.note}" + (f" — fusion possible avec « {c.merge_label} » (`{c.merge}`)" if c.merge else ""))
    out += ["", f"## Dates incertaines ou à l'année déduite ({len(draft.uncertain_dates)})", ""]
    for d in draft.uncertain_dates:
        why = ", ".join(w for w, on in (("année déduite de la section", d["inferred"]), ("date incertaine", d["uncertain"])) if on)
        out.append(f"- fiche {d['fiche']}, lignes {d['lines'][0]}–{d['lines'][1]} : « {d['date_text']} » → {d['date']} ({why})")
    out += ["", f"## Lignes datées imprimées à part ({len(draft.interleaved)})", "",
            "Un encadré daté au milieu d'une section : colonnes peut-être entremêlées, à vérifier.", ""]
    for d in draft.interleaved:
        out.append(f"- fiche {d['fiche']}, lignes {d['lines'][0]}–{d['lines'][1]} : « {d['text']} »")
    out += ["", f"## Lignes qu'aucun élément n'utilise ({len(draft.unused)})", ""]
    for line, why in draft.unused:
        out.append(f"- ligne {line} : {why}")
    return "\n".join(out) + "\n"
