"""What a run hands to people and programs: summary, JSON, Markdown, HTML, fixed digests."""
