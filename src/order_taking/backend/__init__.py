"""The back end that creates orders from confirmed lines, and the workers that drive it."""
