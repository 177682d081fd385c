"""Regenerate enrich/data/taxonomy.json from ../shared/data/arxiv_taxonomy.json.

Only the facts the tool needs are kept: category codes (active or not), aliases, subsumed archives
and archive names. Run it when arXiv's taxonomy changes: python scripts/build_taxonomy.py
"""

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
source = json.loads((ROOT.parent / "shared/data/arxiv_taxonomy.json").read_text("utf-8"))
out = {
    "source": source["source"],
    "categories": {
        code: bool(info["active"]) for code, info in sorted(source["categories"].items())
    },
    "aliases": dict(sorted(source["aliases"].items())),
    "archives_subsumed": dict(sorted(source["archives_subsumed"].items())),
    "archives": sorted(source["archives"]),
}
(ROOT / "enrich/data/taxonomy.json").write_text(json.dumps(out, indent=1) + "\n", "utf-8")
print(f"{len(out['categories'])} categories, {len(out['archives'])} archives")
