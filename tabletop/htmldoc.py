"""Printable HTML documents built from scenario data: the pieces the guide and the handouts share.

Every value from a scenario, a rule module or a player is data, never markup. The helpers
here escape whatever they are given unless it is :class:`Safe`, which only these helpers
(and code that builds markup from literals) produce; so a field can be escaped twice by
mistake, never not at all. Control characters are dropped before escaping: a scenario
line cannot smuggle a terminal escape or an invisible character into a printed page.

A document is one self-contained file: inline CSS written for paper first (A4, page
breaks between sections that stand alone), no scripts, no fonts or images from anywhere,
and a Content-Security-Policy that says so. Files are written with
:func:`tabletop.files.write_atomic` (a temporary file beside the target, then
``os.replace``), so an interrupted write never leaves half a handout where the instructor
will print it.

A pure domain module: it never imports Textual.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterable, Sequence

from tabletop import model as m
from tabletop.palette import css_variables

GENERATOR = "tabletop"
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")


class Safe(str):
    """Markup that is already escaped: built here from literals and escaped values only.

    Adding plain text to it escapes the text, so that ``Safe + str`` stays safe.
    """

    def __add__(self, other: object) -> Safe:
        return Safe(str.__add__(self, esc(other)))

    def __radd__(self, other: object) -> Safe:
        return Safe(str.__add__(esc(other), self))


def esc(value: object) -> Safe:
    """``value`` as HTML text: control and invisible characters dropped, everything else escaped."""
    if isinstance(value, Safe):
        return value
    return Safe(html.escape(_CONTROL.sub("", str(value)), quote=True))


def join(parts: Iterable[object], sep: str = "") -> Safe:
    return Safe(esc(sep).join(esc(p) for p in parts))


def tag(name: str, content: object = "", cls: str = "", **attrs: str) -> Safe:
    """``<name class=cls attrs>content</name>``; attribute values are escaped like content."""
    attr = f' class="{esc(cls)}"' if cls else ""
    attr += "".join(f' {k.rstrip("_").replace("_", "-")}="{esc(v)}"' for k, v in attrs.items())
    return Safe(f"<{name}{attr}>{esc(content)}</{name}>")


def paragraphs(text: str, cls: str = "") -> Safe:
    """Blank-line-separated paragraphs of data text, each folded to one ``<p>``."""
    return join(tag("p", " ".join(p.split()), cls) for p in re.split(r"\n\s*\n", text.strip()) if p.strip())


def items(values: Iterable[object], cls: str = "", ordered: bool = False) -> Safe:
    values = list(values)
    if not values:
        return Safe("")
    return tag("ol" if ordered else "ul", join(tag("li", v) for v in values), cls)


def table(head: Sequence[object], rows: Iterable[Sequence[object]], cls: str = "", caption: str = "") -> Safe:
    cap = tag("caption", caption) if caption else Safe("")
    thead = tag("thead", tag("tr", join(Safe(f'<th scope="col">{esc(h)}</th>') for h in head)))
    body = tag("tbody", join(tag("tr", join(tag("td", c) for c in row)) for row in rows))
    return tag("table", cap + thead + body, cls)


def badge(word: str, kind: str) -> Safe:
    return tag("span", word, f"badge {kind}")


def safe_url(url: str) -> bool:
    return url.lower().startswith(("https://", "http://"))


def citation(source: m.Source, with_note: bool = False) -> Safe:
    """Author, *title*, publisher, date, URL: the way the report cites a source."""
    parts: list[Safe] = [esc(source.author)] if source.author else []
    parts.append(tag("cite", source.title))
    parts += [esc(x) for x in (source.publisher, source.date.isoformat() if source.date else None) if x]
    text = Safe(", ".join(parts) + ".")
    if source.url and safe_url(source.url):
        text += Safe(" ") + tag("a", source.url, href=source.url)
    if with_note and source.note:
        text += tag("span", " " + source.note, "muted")
    return text


def section(anchor: str, heading: str, body: object, cls: str = "") -> Safe:
    return tag("section", tag("h2", heading) + esc(body), cls, id=anchor)


# Okabe-Ito (tabletop.palette), as in the report; no colour here is the only cue.
CSS = (
    """
:root { color-scheme: light; --ink: #1a1a1a; --muted: #555; --rule: #c8c8c8; --band: #f3f3f3;
  """
    + css_variables("blue", "vermillion", "green", "orange", "purple")
    + """ }
* { box-sizing: border-box; }
html { font-size: 15px; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.45;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main, header.doc, footer { max-width: 60rem; margin: 0 auto; padding: 0 1.5rem; }
header.doc { padding-top: 1.6rem; border-bottom: 3px solid var(--blue); padding-bottom: .8rem; }
header.doc .kicker { text-transform: uppercase; letter-spacing: .08em; font-size: .8rem; color: var(--muted); margin: 0; }
h1 { font-size: 1.8rem; line-height: 1.2; margin: .2rem 0 .5rem; }
h2 { font-size: 1.35rem; margin: 2rem 0 .5rem; padding-bottom: .2rem; border-bottom: 1px solid var(--rule); }
h3 { font-size: 1.15rem; margin: 1.4rem 0 .3rem; }
h4 { font-size: 1rem; margin: 1rem 0 .3rem; }
p { margin: .35rem 0 .6rem; }
a { color: var(--blue); overflow-wrap: anywhere; }
ul, ol { margin: .3rem 0 .7rem; padding-left: 1.3rem; }
li { margin: .15rem 0; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .9rem; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; }
th, td { border: 1px solid var(--rule); padding: .3rem .45rem; text-align: left; vertical-align: top; }
thead th { background: var(--band); }
td.num, th.num { text-align: right; white-space: nowrap; }
blockquote { margin: .4rem 0; padding: .1rem .8rem; border-left: 3px solid var(--rule); color: #333; }
.muted { color: var(--muted); }
.small { font-size: .88rem; }
.lead { font-size: 1.05rem; }
.box { border: 1px solid var(--rule); border-radius: .3rem; padding: .5rem .8rem; margin: .6rem 0 .9rem; }
.box > h3:first-child, .box > h4:first-child { margin-top: .2rem; }
.readout { border-left: 4px solid var(--blue); background: #f5f9fc; padding: .4rem .8rem; margin: .5rem 0 .8rem; }
.inject { border-left: 4px solid var(--blue); padding: .35rem .8rem; margin: 0 0 .8rem; background: #f7fafc; }
.inject.hypothetical { border-left: 4px dashed var(--vermillion); background: #fdf6f2; }
.inject.standby { border-left-color: var(--purple); }
.inject h4 { margin: .1rem 0 .2rem; }
.inject .meta { font-size: .85rem; color: var(--muted); margin: 0 0 .2rem; }
.fnote { font-size: .88rem; color: #333; border-top: 1px dotted var(--rule); margin-top: .3rem; padding-top: .2rem; }
.engine { font-size: .85rem; margin: .3rem 0 0; }
.engine li { margin: .1rem 0; }
.badge { display: inline-block; font-size: .7rem; font-weight: 700; letter-spacing: .03em; text-transform: uppercase;
  padding: .02rem .35rem; border-radius: .25rem; border: 1px solid; vertical-align: .1em; margin-left: .3rem; white-space: nowrap; }
.badge.hypothetical { color: #8a3c00; border-color: var(--vermillion); background: #fbe9dd; }
.badge.standby { color: #6b2d52; border-color: var(--purple); background: #f8eaf2; }
.badge.private { color: #004f7c; border-color: var(--blue); background: #e3f0f8; }
.badge.brief { color: #444; border-color: #888; background: #eee; }
.badge.triggered { color: #6b4a00; border-color: var(--orange); background: #fdf1d6; }
.badge.contested { color: #8a3c00; border-color: var(--vermillion); background: #fbe9dd; }
.badge.after { color: #005c45; border-color: var(--green); background: #ddf3ec; }
.columns { columns: 2; column-gap: 1.4rem; }
.columns > * { break-inside: avoid; }
.onepage { font-size: .86rem; line-height: 1.35; }
.onepage h3 { font-size: .98rem; margin: .5rem 0 .15rem; }
.onepage p { margin: .15rem 0 .35rem; }
.writein td { height: 4.5rem; }
.writein td:nth-child(1) { width: 11%; } .writein td:nth-child(2) { width: 35%; }
.writein td:nth-child(3), .writein td:nth-child(4) { width: 27%; }
nav.toc { font-size: .9rem; margin: .8rem 0 0; }
nav.toc ol { margin: 0; padding-left: 1.2rem; columns: 2; }
footer { margin-top: 2.5rem; padding-top: .6rem; padding-bottom: 2rem; border-top: 1px solid var(--rule); font-size: .8rem; color: var(--muted); }
@media print {
  html { font-size: 10pt; }
  @page { size: A4; margin: 14mm 13mm; }
  nav.toc { display: none; }
  main, header.doc, footer { max-width: none; padding: 0; }
  h2, h3, h4 { break-after: avoid; }
  tr, blockquote, li { break-inside: avoid; }
  .inject h4, .inject .meta { break-after: avoid; }
  section.page { break-before: page; }
  section.onepage { break-before: page; break-after: page; font-size: 7.7pt; line-height: 1.28; }
  section.onepage h2 { font-size: 12pt; margin-top: 0; }
  section.onepage h3 { font-size: 8.6pt; margin: .35rem 0 .1rem; }
  section.onepage .columns { columns: 3; column-gap: 1rem; }
  a { color: inherit; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""
)


def document(title: str, kicker: str, intro: object, sections: Sequence[tuple[str, str, object]] | Sequence[Safe],
             footer: object = "", toc: bool = True, breaks: bool = False) -> str:
    """A whole HTML file: the header (kicker, title, intro, contents), the sections, a footer.

    ``sections`` are (anchor, heading, body) triples, or ready :class:`Safe` sections;
    with ``breaks`` each triple after the first starts a printed page.
    """
    built: list[Safe] = []
    contents: list[tuple[str, str]] = []
    for item in sections:
        if isinstance(item, tuple):
            anchor, heading, body = item
            contents.append((anchor, heading))
            built.append(section(anchor, heading, body, "page" if built and breaks else ""))
        else:
            built.append(item)
    nav = Safe("")
    if toc and len(contents) > 2:
        nav = tag("nav", tag("ol", join(tag("li", tag("a", h, href=f"#{a}")) for a, h in contents)), "toc", aria_label="Contents")
    head = tag("header", tag("p", kicker, "kicker") + tag("h1", title) + esc(intro) + nav, "doc")
    foot = tag("footer", footer) if footer else Safe("")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="{GENERATOR}">\n'
        f"<title>{esc(title)}</title>\n"
        f"<style>{CSS}</style>\n</head>\n<body>\n"
        f"{head}\n<main>\n{join(built, chr(10))}\n</main>\n{foot}\n</body>\n</html>\n"
    )


def write_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` as UTF-8 to ``path`` with :func:`tabletop.files.write_atomic` (never over an exercise log).

    An existing file keeps its permissions; a new one gets the umask's (a guide and
    handouts are meant to be shared). Raises OSError (a WriteError, whose text is the
    one line to show); nothing half-written is ever left at ``path``.
    """
    from tabletop import files

    files.write_atomic(path, text, mode=files.shared_mode())


# --- words for rule-module data, shared by the guide and the handouts ----------------------


def audience(scenario: m.Scenario, rules: m.Rules, to: Iterable[str]) -> str:
    """Whom an inject goes to, in words: ``all seats``, or each seat by its name (a state the scenario does not seat by the rules' name)."""
    to = tuple(to)
    if "all" in to:
        return "all seats"
    return ", ".join(m.seat_name(scenario, rules, s) for s in to)


def article_label(rules: m.Rules, treaty_id: str, article_id: str) -> str:
    if treaty_id == "charter":
        return f"UN Charter Art. {article_id}"
    treaty = rules.treaties.get(treaty_id)
    return f"{treaty.label if treaty else treaty_id} Art. {article_id}"


def article_text(rules: m.Rules, treaty_id: str, article_id: str) -> tuple[str, str, str, str]:
    """(label, title, text, wording and source) of a treaty or Charter article."""
    if treaty_id == "charter":
        charter = rules.council.article(article_id)
        if charter is None:
            return article_label(rules, treaty_id, article_id), "", "", ""
        return article_label(rules, treaty_id, article_id), charter.title, charter.text, "; ".join(x for x in (charter.wording, charter.source) if x)
    treaty = rules.treaties[treaty_id]
    article = treaty.article(article_id)
    return article_label(rules, treaty_id, article_id), article.title, article.text, "; ".join(x for x in (article.wording, article.source) if x)


def trigger_words(rules: m.Rules, treaty: m.Treaty, trigger: m.Trigger) -> str:
    """A trigger in plain words, read from its structured fields (never from code per treaty)."""
    threat = "armed_attack" not in trigger.fact
    kinds = {"armed_attack": "an armed attack", "threat": "a threat", "state_of_war": "a declaration of war"}
    words = [" or ".join(kinds.get(k, k.replace("_", " ")) for k in trigger.fact)] if trigger.fact else []
    words += _condition_words(rules, trigger, threat)
    text = _joined(words)
    if trigger.any_of:
        branches = [_joined(_condition_words(rules, branch, threat)).lstrip(", ") for branch in trigger.any_of]
        text += " " + " or ".join(b for b in branches if b)
    return text


def _joined(words: list[str]) -> str:
    """Words joined by spaces, except before the ones that bring their own comma."""
    return "".join(w if w.startswith(",") or not i else " " + w for i, w in enumerate(words))


def _condition_words(rules: m.Rules, trigger: m.Trigger, threat: bool) -> list[str]:
    words = []
    on = "against" if threat else "on"
    if trigger.target == "party":
        words.append(f"{on} a party")
    elif trigger.target:
        words.append(f"{on} {rules.state_name(trigger.target)}")
    if trigger.by == "non_party":
        words.append("by a state that is not a party" if trigger.by_state else "by a non-party")
    elif trigger.by_state:
        words.append("by a state")
    if trigger.state_of_war:
        words.append(", putting it in a state of war")
    where = trigger.location
    if where is not None:
        if where.administered_by == "any_party":
            words.append(", on territory under a party's administration")
        elif where.administered_by:
            words.append(f", on territory under the administration of {rules.state_name(where.administered_by)}")
        if where.region:
            region = rules.regions.get(where.region, where.region).split(" (")[0]
            words.append(f", in {region[:1].lower()}{region[1:]}")
    return words
