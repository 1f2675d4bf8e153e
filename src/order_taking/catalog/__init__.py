"""Product offerings, options and eligibility items."""
