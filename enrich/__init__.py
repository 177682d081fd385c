"""arxiv-enrich: check and repair arXiv paper digests against the arXiv API."""

__version__ = "0.1.0"
