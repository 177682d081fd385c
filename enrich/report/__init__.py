"""What a run hands to people and programs: terminal summary, JSON, Markdown, HTML, fixed digests."""
