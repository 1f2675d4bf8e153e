"""order-taking: the Order Taking API of a wholesale fibre-network operator."""
