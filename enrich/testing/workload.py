"""Realistic digest entries with the arXiv records behind them, for benchmarks and golden tests.

    from enrich.testing.workload import workload
    for entry_line, record in workload(20_000, seed=13): ...

`workload(n)` yields n pairs (an `enrich ingest` line as a dict, and the ArxivRecord arXiv
answers for its id, or None where the pair adds no record: an invalid entry, a repeated id, an id
arXiv does not know). The same n and seed always give the
same pairs (a golden test depends on it: never change what an existing seed produces; add a
parameter instead).

What the entries look like, as digests write them:
  * authors: distinct names (given x family pools with diacritics, hyphens, particles, middle
    initials), 1 to 15 a paper; the digest copies them, cuts them after one to three names with
    "et al.", writes them family-first ("Zhang Wei", "Müller, Jürgen"), uses initials ("J.-H.
    Park"), drops diacritics or adds markers ("Ana Lima*", "Wei Zhang1"); a few are wrong or
    missing;
  * titles: mostly arXiv's, some in another case, cut with "...", with LaTeX markup or another
    paper's title; arXiv's own title and abstract are wrapped over lines as arXiv wraps them;
  * versions: the latest, an older one (stale), or none; categories arXiv's, the primary only, or
    other; a few summaries' author claims, repeated ids (duplicates) and invalid entries;
  * `missing` (0 by default) is the share of ids arXiv does not know (record None).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

from enrich.models import ArxivRecord
from enrich.text.markup import fold_space

__all__ = ["arxiv_id_of", "workload"]


def _split(text: str) -> list[str]:
    return text.split()


_GIVEN = _split(
    "Wei Jun Xiaoming Jia-Hui Yifan Hao Lei Mei Qing Zhiyuan Ming Tao Yu Xin Ying Jing Li-Wei "
    "Hyun-Woo Ji-Hoon Min-Jung Seo-Yeon Takeshi Yuki Haruto Sakura Kenji "
    "Arjun Priya Rahul Ananya Vikram Deepika Sanjay Lakshmi Aditya Kavya "
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Nancy Matthew Lisa "
    "Anthony Betty Mark Sandra Steven Ashley Andrew Emily Joshua Michelle Kevin Amanda "
    "José María François Zoë Jürgen Søren Åsa Bjørn Gaël Hélène Łukasz Miloš Dániel Ignacio "
    "Raúl Inés Björn Jörg Renée André Chloé Noémie Tomáš Jiří Małgorzata Ömer Şebnem Çağrı "
    "Ahmed Fatima Omar Layla Yusuf Amir Leila Reza Dmitri Olga Sergei Natalia Ivan Anastasia "
    "Giulia Marco Alessandro Francesca Lorenzo Pieter Anouk Sven Ingrid Lars Maja Nikolaos "
    "Eleni Kwame Amara Chidi Ngozi Thabo Lerato Mateus Beatriz Thiago Camila"
)
_FAMILY = _split(
    "Zhang Wang Li Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Gao Luo "
    "Zheng Liang Xie Song Tang Han Feng Deng Cao Peng Zeng Xiao Tian Dong Pan Yuan Jiang "
    "Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim Sato Suzuki Takahashi Tanaka Watanabe "
    "Ito Yamamoto Nakamura Kobayashi Kato Sharma Patel Singh Kumar Gupta Reddy Iyer Nair "
    "Rao Mehta Banerjee Chatterjee Smith Johnson Williams Brown Jones Garcia Miller Davis "
    "Rodriguez Martinez Hernandez Lopez Gonzalez Wilson Anderson Taylor Thomas Moore "
    "Jackson Martin Thompson White Harris Clark Lewis Robinson Walker Young Allen King "
    "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schäfer Köhler Groß Jäger "
    "García Martínez Rodríguez Sánchez Pérez Gómez Fernández Díaz Muñoz Álvarez Jiménez "
    "Dubois Lefèvre Moreau Girard Bonnet Rousseau Lévy Nguyen Tran Pham Hoang Vu "
    "Kowalski Nowak Wiśniewski Wójcik Dvořák Novák Horváth Nagy Szabó Kovačević Petrović "
    "Ivanov Smirnov Popov Kuznetsov Rossi Russo Ferrari Esposito Bianchi Romano Colombo "
    "Jansen Bakker Visser Andersen Nielsen Hansen Johansson Karlsson Nilsson Lindqvist "
    "Papadopoulos Yılmaz Kaya Demir Hosseini Ahmadi Rahman Hassan Okafor Mensah Silva "
    "Santos Oliveira Souza Costa Pereira O'Brien O'Connor McDonald MacLeod Fitzgerald "
    "Abdel-Rahman Smith-Jones García-López Martín-Sánchez"
)
_PARTICLES = ("van der", "van", "de", "von", "da", "di", "dos")
_WORDS = _split(
    "learning neural network networks deep graph transformer transformers attention "
    "diffusion model models language large efficient robust scalable adaptive sparse "
    "generative contrastive self-supervised representation representations reinforcement "
    "policy optimization gradient stochastic bayesian inference variational latent "
    "multimodal vision image video segmentation detection 3D reconstruction point cloud "
    "semantic retrieval augmented reasoning benchmark evaluation dataset federated privacy "
    "quantum spectral kernel manifold causal temporal spatial dynamic hierarchical "
    "few-shot zero-shot in-context alignment preference fine-tuning distillation pruning "
    "quantization compression sampling estimation control planning robotic navigation "
    "speech audio medical clinical molecular protein physics-informed operator equations"
)
_GLUE = ["for", "with", "via", "of", "in", "towards", "and", "on", "through", "beyond"]
_ABSTRACT_WORDS = _WORDS + _GLUE
_CATEGORIES = _split(
    "cs.LG cs.CV cs.CL cs.AI cs.RO cs.IR cs.CR cs.DC cs.NE cs.SD eess.AS eess.IV eess.SP "
    "stat.ML math.OC math.ST quant-ph physics.comp-ph q-bio.QM cond-mat.dis-nn astro-ph.IM"
)
_ALIASES = {"eess.SY": "cs.SY", "cs.SY": "eess.SY", "math.IT": "cs.IT", "cs.IT": "math.IT"}
_PLAIN = str.maketrans(
    "áàâäãåçéèêëíìîïñóòôöõøúùûüýÿćčęłńśšźżřťďňůőűğışÁÅÇÉÍÑÓÖØÚÜŁŚŠŽŘÇŞİÖ",
    "aaaaaaceeeeiiiinoooooouuuuyyccelnsszzrtdnuougisAACEINOOOUULSSZRCSIO",
)


def arxiv_id_of(n: int) -> str:
    """The n-th distinct new-style id (2401.10000, 2401.10001, ...)."""
    return f"{2401 + n // 90000:04d}.{n % 90000 + 10000:05d}"


def _person(rng: random.Random) -> tuple[str, str, str]:
    """(given, middle initial or "", family) for one distinct-looking person."""
    given = rng.choice(_GIVEN)
    family = rng.choice(_FAMILY)
    if rng.random() < 0.05:
        family = f"{rng.choice(_PARTICLES)} {family}"
    middle = f"{rng.choice('ABCDEFGHJKLMNPRSTW')}." if rng.random() < 0.15 else ""
    return given, middle, family


def _full(person: tuple[str, str, str]) -> str:
    return " ".join(p for p in person if p)


def _initials(given: str) -> str:
    return "-".join(f"{part[0]}." for part in given.split("-"))


def _written(person: tuple[str, str, str], style: str, rng: random.Random) -> str:
    given, middle, family = person
    if style == "family_first":
        return f"{family}, {given}" if rng.random() < 0.5 or " " in family else f"{family} {given}"
    if style == "initials":
        return " ".join(p for p in (_initials(given), middle, family) if p)
    if style == "plain":
        return _full(person).translate(_PLAIN)
    if style == "marked":
        return _full(person) + rng.choice(("*", "†", "1", "2,3", " *"))
    return _full(person)


def _title(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(3, 6))]
    words.insert(rng.randint(1, len(words) - 1), rng.choice(_GLUE))
    words += [rng.choice(_GLUE), *(rng.choice(_WORDS) for _ in range(rng.randint(1, 4)))]
    title = " ".join(w if w in _GLUE else w.capitalize() for w in words)
    if rng.random() < 0.3:
        title = f"{rng.choice(_WORDS).upper()[:6]}: {title}"
    if rng.random() < 0.05:
        title += " with $\\alpha$-Divergence"
    return title


def _wrap(text: str, width: int) -> str:
    """arXiv's line folding: a newline and two spaces every `width` characters or so."""
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + len(word) >= width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "\n  ".join(lines)


def _abstract(rng: random.Random) -> str:
    sentences = []
    for _ in range(rng.randint(5, 9)):
        words = [rng.choice(_ABSTRACT_WORDS) for _ in range(rng.randint(12, 24))]
        sentences.append(" ".join(words).capitalize() + ".")
    return _wrap(" ".join(sentences), 78)


def _record(n: int, rng: random.Random) -> tuple[ArxivRecord, list[tuple[str, str, str]]]:
    ident = arxiv_id_of(n)
    people = [_person(rng) for _ in range(min(15, 1 + int(rng.expovariate(1 / 4))))]
    latest = rng.choice((1, 1, 1, 2, 2, 3, 4))
    primary = rng.choice(_CATEGORIES)
    others = rng.sample(_CATEGORIES, rng.randint(0, 2))
    published = dt.datetime(2024, 1, 1, 17, 0, tzinfo=dt.UTC) + dt.timedelta(minutes=37 * n)
    versioned = f"{ident}v{latest}"
    record = ArxivRecord(
        arxiv_id=ident,
        latest_version=latest,
        title=_wrap(_title(rng), 60),
        authors=[_full(p) for p in people],
        affiliations=[[] for _ in people],
        primary_category=primary,
        categories=[primary, *(c for c in others if c != primary)],
        published=published,
        updated=published + dt.timedelta(days=9 * (latest - 1)),
        abstract=_abstract(rng),
        comment=rng.choice((None, None, "12 pages, 4 figures", "Accepted at a conference")),
        abs_url=f"https://arxiv.org/abs/{versioned}",
        pdf_url=f"https://arxiv.org/pdf/{versioned}",
        html_url=f"https://arxiv.org/html/{versioned}",
        arxiv_doi=f"10.48550/arXiv.{ident}",
    )
    return record, people


def _authors(people: list[tuple[str, str, str]], rng: random.Random) -> tuple[list[str], bool]:
    roll = rng.random()
    if roll < 0.45:
        return [_full(p) for p in people], False
    if roll < 0.62 and len(people) > 2:
        cut = rng.randint(1, 3)
        return [_full(p) for p in people[:cut]], True
    if roll < 0.92:
        style = rng.choice(("family_first", "initials", "plain", "marked"))
        return [_written(p, style, rng) for p in people], False
    if roll < 0.97:  # wrong: one person replaced, or the last left out
        names = [_full(p) for p in people]
        if len(names) > 1 and rng.random() < 0.5:
            names.pop()
        else:
            names[rng.randrange(len(names))] = _full(_person(rng))
        return names, False
    return [], False


def _digest_title(title: str, rng: random.Random) -> str | None:
    flat = fold_space(title)
    roll = rng.random()
    if roll < 0.70:
        return flat
    if roll < 0.80:
        return flat.lower() if rng.random() < 0.5 else flat.upper()
    if roll < 0.88:
        words = flat.split(" ")
        return " ".join(words[: max(2, len(words) // 2)]) + rng.choice(("...", " …"))
    if roll < 0.93:
        return flat.replace(" ", "  ", 1).replace("-", " - ")
    if roll < 0.97:
        return _title(rng)
    return None


def _entry(
    n: int, record: ArxivRecord, people: list[tuple[str, str, str]], rng: random.Random
) -> dict[str, Any]:
    roll = rng.random()
    version: int | None = record.latest_version
    if roll < 0.3 and record.latest_version > 1:
        version = rng.randint(1, record.latest_version - 1)
    elif roll < 0.4:
        version = None
    authors, truncated = _authors(people, rng)
    roll = rng.random()
    if roll < 0.7:
        categories = list(record.categories)
    elif roll < 0.9:
        categories = [record.categories[0]]
    else:
        categories = [rng.choice(_CATEGORIES), _ALIASES.get(record.categories[0], "cs.XX")]
    link = f"https://arxiv.org/abs/{record.arxiv_id}" + (f"v{version}" if version else "")
    links = [link]
    if rng.random() < 0.3:
        links.append(f"https://github.com/lab{n % 997}/project-{n}")
    claims: list[dict[str, Any]] = []
    if rng.random() < 0.05:
        claims.append(
            {"field": "authors", "value": ", ".join(record.authors[:3]), "line": n * 6 + 4,
             "origin": "summary", "authors_truncated": len(record.authors) > 3}
        )  # fmt: skip
    published = record.published.date() if record.published else None
    return {
        "arxiv_id": record.arxiv_id,
        "version": version,
        "title": _digest_title(record.title, rng),
        "authors": authors,
        "authors_truncated": truncated,
        "categories": categories,
        "date": published.isoformat() if published and rng.random() < 0.8 else None,
        "abstract": " ".join(record.abstract.split()[:40]) if rng.random() < 0.2 else None,
        "links": links,
        "source": {"path": "digest.md", "line": n * 6 + 1, "format": "markdown"},
        "claims": claims,
        "status": "valid",
    }


def _invalid(n: int) -> dict[str, Any]:
    return {
        "arxiv_id": None,
        "title": f"A paper without an id, number {n}",
        "authors": ["Some One"],
        "source": {"path": "digest.md", "line": n * 6 + 1, "format": "markdown"},
        "status": "invalid",
        "error": "no arXiv id in the entry",
    }


def workload(
    n: int, *, seed: int = 13, missing: float = 0.0
) -> Iterator[tuple[dict[str, Any], ArxivRecord | None]]:
    """n (entry line, record) pairs; see the module docstring. Deterministic for (n, seed)."""
    rng = random.Random(seed)
    earlier: list[dict[str, Any]] = []
    for i in range(n):
        roll = rng.random()
        if roll < 0.005:
            yield _invalid(i), None
            continue
        if roll < 0.015 and earlier:  # the same paper again, further down
            again = dict(rng.choice(earlier))
            again["source"] = {"path": "digest.md", "line": i * 6 + 1, "format": "markdown"}
            yield again, None
            continue
        record, people = _record(i, rng)
        entry = _entry(i, record, people, rng)
        if len(earlier) < 64:
            earlier.append(entry)
        yield entry, (None if rng.random() < missing else record)
