"""Pages of the feedback loop: the reader portal, the staff inbox, the partner view, insight and surveys."""
