"""The drafter: turns a new article into a draft annotation (metadata, quotes, statistics, mentions) for review."""
