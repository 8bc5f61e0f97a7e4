"""Pages of the co-construction cycle: thin over ``alliance.selectors`` (reads) and ``alliance.services`` (writes)."""
