"""Console services: signing staff in and out under a failure rate limit."""
