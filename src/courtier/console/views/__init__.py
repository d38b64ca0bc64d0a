"""Console pages. Each module parses a request, calls one service and renders."""
