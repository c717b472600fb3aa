"""Load test: locust users (staff, analysts, tracked websites) against the API
as its own process; ``python -m tests.load.run`` (``make load``)."""
